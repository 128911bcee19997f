use serde_json::json;

use super::*;
use crate::admission::AdmissionRequest;
use crate::engine::request::Request;

fn query(ctx: &Context, e: &str) -> Result<Value, String> {
    crate::expr::parse(e)
        .map_err(|e| e.to_string())
        .and_then(|e| ctx.evaluate(&e).map_err(|e| e.to_string()))
}

fn pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
           "spec": {"containers": [{"name": "c", "image": "ghcr.io/org/app:1.0"}]}})
}

#[test]
fn offline_requests_hold_what_kyvernos_cli_sets() {
    let admission = AdmissionRequest::for_resource(pod(), Operation::Create);
    let request = Request::new(&admission).with_origin(Origin::Offline);
    let input = Input::of(&request);
    let mut ctx = Context::new(&input);
    ctx.add_images(input.resource);
    // The resource is not copied: the context refers to it.
    assert_eq!(query(&ctx, "request.object.metadata.name"), Ok(json!("p")));
    assert_eq!(ctx.doc().pointer("/request/object"), Some(&Value::Null));
    assert_eq!(query(&ctx, "request.oldObject"), Ok(Value::Null));
    assert_eq!(query(&ctx, "request.operation"), Ok(json!("CREATE")));
    assert_eq!(query(&ctx, "request.namespace"), Ok(json!("ns")));
    // Kyverno's CLI sets no name, kind or user: reading them is an error.
    for absent in [
        "request.name",
        "request.kind",
        "request.userInfo",
        "serviceAccountName",
    ] {
        assert!(query(&ctx, absent).is_err(), "{absent}");
    }
    assert_eq!(
        ctx.doc().pointer("/images/containers/c/jsonPointer"),
        Some(&json!("/spec/containers/0/image"))
    );
    // DELETE: no `object` at all, the resource is the old object.
    let delete = AdmissionRequest::for_resource(pod(), Operation::Delete);
    let request = Request::new(&delete).with_origin(Origin::Offline);
    let ctx = Context::new(&Input::of(&request));
    assert!(query(&ctx, "request.object").is_err());
    assert_eq!(
        query(&ctx, "request.oldObject.metadata.name"),
        Ok(json!("p"))
    );
}

#[test]
fn admission_requests_hold_the_whole_request() {
    let mut admission = AdmissionRequest::for_resource(pod(), Operation::Update);
    admission.uid = "u-1".into();
    admission.user_info.username = "system:serviceaccount:kube-system:robot".into();
    admission.user_info.groups = vec!["system:serviceaccounts".into()];
    admission.dry_run = Some(true);
    admission.old_object = Some(json!({"kind": "Pod", "metadata": {"name": "old"}}));
    let roles = vec!["ns:editor".to_string()];
    let request = Request::new(&admission).with_roles(&roles, &[]);
    let ctx = Context::new(&Input::of(&request));
    assert_eq!(query(&ctx, "request.uid"), Ok(json!("u-1")));
    assert_eq!(
        query(&ctx, "request.kind"),
        Ok(json!({"group": "", "version": "v1", "kind": "Pod"}))
    );
    assert_eq!(query(&ctx, "request.resource.resource"), Ok(json!("pods")));
    assert_eq!(query(&ctx, "request.name"), Ok(json!("p")));
    assert_eq!(query(&ctx, "request.dryRun"), Ok(json!(true)));
    assert_eq!(query(&ctx, "request.options"), Ok(Value::Null));
    assert_eq!(
        query(&ctx, "request.oldObject.metadata.name"),
        Ok(json!("old"))
    );
    assert_eq!(query(&ctx, "request.object.metadata.name"), Ok(json!("p")));
    assert_eq!(query(&ctx, "request.roles"), Ok(json!(["ns:editor"])));
    assert!(query(&ctx, "request.clusterRoles").is_err());
    assert!(query(&ctx, "request.subResource").is_err());
    assert_eq!(
        query(&ctx, "request.userInfo.groups"),
        Ok(json!(["system:serviceaccounts"]))
    );
    assert_eq!(query(&ctx, "serviceAccountName"), Ok(json!("robot")));
    assert_eq!(
        query(&ctx, "serviceAccountNamespace"),
        Ok(json!("kube-system"))
    );
}

#[test]
fn service_accounts_are_cut_as_kyverno_cuts_them() {
    assert_eq!(service_account("system:serviceaccount:ns:sa"), ["sa", "ns"]);
    assert_eq!(service_account("alice"), ["", ""]);
    // Kyverno drops the prefix's length of characters without looking at them.
    assert_eq!(
        service_account("oidc:https://example.com/user:12345678"),
        ["12345678", "om/user"]
    );
}

#[test]
fn reused_document_matches_a_fresh_one() {
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                            "metadata": {"name": "d", "namespace": "ns"}});
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}});
    let vars = vec![
        ("request.operation".to_string(), json!("SET")),
        ("request.oldObject.metadata.uid".to_string(), json!("u")),
    ];
    let mut with_user = AdmissionRequest::for_resource(deployment.clone(), Operation::Create);
    with_user.user_info.username = "system:serviceaccount:team:bot".into();
    let plain = AdmissionRequest::for_resource(deployment, Operation::Create);
    let update = AdmissionRequest::for_resource(namespace, Operation::Update);
    let requests = [
        Request::new(&plain).with_origin(Origin::Offline),
        Request::new(&with_user).with_origin(Origin::Offline),
        Request::new(&update)
            .with_origin(Origin::Offline)
            .with_variables(&vars),
        Request::new(&plain),
        Request::new(&with_user),
    ];
    let fresh = |request: &Request| {
        SPARE.with(Cell::take);
        Context::new(&Input::of(request)).doc().clone()
    };
    // Each request, after contexts of every other shape (and with added variables) were
    // dropped on this thread, sees the same document as after a fresh start.
    for request in &requests {
        let want = fresh(request);
        for before in &requests {
            let input = Input::of(before);
            let mut ctx = Context::new(&input);
            ctx.add_images(input.resource);
            ctx.insert("element", json!(1));
            drop(ctx);
            assert_eq!(Context::new(&Input::of(request)).doc(), &want);
        }
    }
    let doc = fresh(&requests[1]);
    assert_eq!(
        doc.pointer("/request/userInfo/username"),
        Some(&json!("system:serviceaccount:team:bot"))
    );
    assert_eq!(doc.pointer("/serviceAccountName"), Some(&json!("bot")));
    let doc = fresh(&requests[2]);
    assert_eq!(doc.pointer("/request/namespace"), Some(&json!("")));
    assert_eq!(doc.pointer("/request/operation"), Some(&json!("SET")));
    assert_eq!(
        doc.pointer("/request/oldObject/metadata/uid"),
        Some(&json!("u"))
    );
    // Only the object a value writes into is copied; the other stays a stand-in.
    assert_eq!(doc.pointer("/request/object"), Some(&Value::Null));
}

#[test]
fn values_and_entries() {
    let admission = AdmissionRequest::for_resource(json!({"kind": "Pod"}), Operation::Create);
    let vars = vec![
        ("request.object.metadata.name".to_string(), json!("set")),
        ("size".to_string(), json!("3Gi")),
    ];
    let request = Request::new(&admission)
        .with_origin(Origin::Offline)
        .with_variables(&vars);
    let mut ctx = Context::new(&Input::of(&request));
    // Values that write into the resource get a real copy.
    assert_eq!(
        ctx.doc().pointer("/request/object/metadata/name"),
        Some(&json!("set"))
    );
    assert_eq!(ctx.doc().pointer("/size"), Some(&json!("3Gi")));
    let previous = ctx.insert("element", json!(1));
    assert_eq!(ctx.doc().pointer("/element"), Some(&json!(1)));
    ctx.restore("element", previous);
    assert_eq!(ctx.doc().pointer("/element"), None);
}

#[test]
fn added_values_win_over_the_request_and_merge_like_kyverno() {
    let admission = AdmissionRequest::for_resource(pod(), Operation::Update);
    let request = Request::new(&admission).with_origin(Origin::Offline);
    let input = Input::of(&request);
    let mut ctx = Context::new(&input);
    ctx.add_value("request.object.metadata.name", json!("forced"));
    assert_eq!(
        query(&ctx, "request.object.metadata.name"),
        Ok(json!("forced"))
    );
    // The rest of the object is still there, and the old object is untouched.
    assert_eq!(
        query(&ctx, "request.object.spec.containers[0].name"),
        Ok(json!("c"))
    );
    assert_eq!(
        query(&ctx, "request.oldObject.metadata.name"),
        Ok(json!("p"))
    );
    // A mapping merges into the mapping there; other values replace.
    ctx.add_value(
        "request.object.metadata",
        json!({"labels": {"team": "a"}, "namespace": "other"}),
    );
    assert_eq!(
        query(&ctx, "request.object.metadata"),
        Ok(json!({"name": "forced", "namespace": "other", "labels": {"team": "a"}}))
    );
    ctx.add_value("request.object.metadata.labels", json!("flat"));
    assert_eq!(
        query(&ctx, "request.object.metadata.labels"),
        Ok(json!("flat"))
    );
    // The request's own object is not changed.
    assert_eq!(input.resource.pointer("/metadata/name"), Some(&json!("p")));
}
