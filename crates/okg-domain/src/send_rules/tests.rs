//! One test per rule, on a real plan of the small fleet (gss-2048, sidecar to v3.0).
use super::*;
use crate::bump_plan::{BumpRequest, Scope, plan_bump};
use crate::fixtures as fake;

fn plan() -> Plan {
    let (sets, gss, pods) = fake::small_fleet();
    let req = BumpRequest {
        container: "sidecar".into(),
        image: "registry.example.com/games/2048-sidecar:v3.0".into(),
        scope: Scope::WholeSet,
        canary_allocated: false,
    };
    plan_bump(&sets[0], &gss, &pods, &req).unwrap()
}

fn recreating() -> Plan {
    Plan { policy: Policy::ReCreate("the image is not the only change".into()), ..plan() }
}

fn facts(consent: Consent) -> Facts {
    Facts { read_only: false, denied: &[], consent }
}

const TYPED_NOTHING: Consent = Consent::TypedSetName("");
const NO_FLAG: Consent = Consent::AllowRecreateFlag(false);

#[test]
fn an_in_place_plan_with_nothing_against_it_may_be_sent() {
    let p = plan();
    assert!(p.policy == Policy::InPlace && !p.patches.is_empty());
    for consent in [TYPED_NOTHING, NO_FLAG] {
        assert_eq!(refusal(Change::Step(&p), &facts(consent)), None);
    }
    assert_eq!(refusal(Change::PauseOrResume, &facts(TYPED_NOTHING)), None);
}

#[test]
fn a_refused_policy_comes_first() {
    let p = Plan { policy: Policy::Refused("InPlaceOnly".into()), ..plan() };
    let all_against = Facts { read_only: true, ..facts(NO_FLAG) };
    let r = refusal(Change::Step(&p), &all_against).unwrap();
    assert_eq!(r, Refusal::Policy("InPlaceOnly".into()));
    assert_eq!(r.to_string(), "refused: InPlaceOnly");
}

#[test]
fn a_plan_without_patches_has_nothing_to_send() {
    let p = Plan { patches: Vec::new(), ..plan() };
    let r = refusal(Change::Step(&p), &facts(TYPED_NOTHING)).unwrap();
    assert_eq!((r.clone(), r.to_string()), (Refusal::NothingToSend, "nothing to send".into()));
}

#[test]
fn re_creation_without_the_flag_is_refused_before_read_only_and_rbac() {
    let p = recreating();
    let denied = [Denial { action: "patch gameserversets".into(), reason: "no role".into() }];
    let f = Facts { read_only: true, denied: &denied, consent: NO_FLAG };
    let r = refusal(Change::Step(&p), &f).unwrap();
    assert_eq!(
        r,
        Refusal::RecreateNotAllowed {
            pods: p.targets().len(),
            set: "gss-2048".into(),
            resets: None
        }
    );
    assert!(r.to_string().contains("pass --allow-recreate"), "{r}");
    let allowed = Consent::AllowRecreateFlag(true);
    assert_eq!(refusal(Change::Step(&p), &facts(allowed)), None);
}

#[test]
fn the_re_creation_refusal_names_the_game_server_resets() {
    let resets = crate::bump_plan::GameServerResets {
        reclaim_policy: "Cascade".into(),
        reset: true,
        allocated: vec!["gss-2048-1".into()],
        ..Default::default()
    };
    let p = Plan { resets: Some(resets), ..recreating() };
    let r = refusal(Change::Step(&p), &facts(NO_FLAG)).unwrap().to_string();
    assert!(r.contains("reclaimPolicy Cascade") && r.contains("1 Allocated (gss-2048-1)"), "{r}");
    assert!(r.ends_with("pass --allow-recreate if that is what you want"), "{r}");
}

#[test]
fn read_only_sends_nothing() {
    let f = Facts { read_only: true, ..facts(TYPED_NOTHING) };
    assert_eq!(refusal(Change::Step(&plan()), &f), Some(Refusal::ReadOnly));
    assert_eq!(refusal(Change::PauseOrResume, &f), Some(Refusal::ReadOnly));
    assert_eq!(Refusal::ReadOnly.to_string(), "read-only session (--read-only): nothing was sent");
}

#[test]
fn the_first_rbac_denial_is_named() {
    let denied = [
        Denial { action: "patch gameserversets".into(), reason: "no role".into() },
        Denial { action: "patch gameservers".into(), reason: "no role either".into() },
    ];
    let f = Facts { denied: &denied, ..facts(TYPED_NOTHING) };
    let r = refusal(Change::PauseOrResume, &f).unwrap();
    assert_eq!(r.to_string(), "RBAC denies patch gameserversets: no role");
    assert_eq!(refusal(Change::Step(&plan()), &f), Some(r));
}

#[test]
fn re_creation_on_the_screen_needs_the_set_name_typed_after_rbac() {
    let p = recreating();
    let r = refusal(Change::Step(&p), &facts(Consent::TypedSetName("gss-20"))).unwrap();
    assert_eq!(r.to_string(), "pods would be RE-CREATED: type gss-2048 to confirm");
    assert_eq!(refusal(Change::Step(&p), &facts(Consent::TypedSetName("gss-2048"))), None);
    let denied = [Denial { action: "patch gameserversets".into(), reason: "no role".into() }];
    let f = Facts { denied: &denied, ..facts(TYPED_NOTHING) };
    assert!(matches!(refusal(Change::Step(&p), &f), Some(Refusal::RbacDenied(_))));
}

#[test]
fn terminal_answers() {
    let p = plan();
    assert!(["y", "Y", "yes"].iter().all(|a| confirmed(&p, a)));
    assert!(!confirmed(&p, "") && !confirmed(&p, "no") && !confirmed(&p, "gss-2048"));
    let r = recreating();
    assert!(needs_set_name(&r) && !needs_set_name(&p));
    assert!(confirmed(&r, "gss-2048") && !confirmed(&r, "y"));
}

#[test]
fn which_messages_say_nothing_was_sent() {
    let said = [Refusal::ReadOnly, Refusal::NobodyToConfirm, Refusal::NotConfirmed];
    assert!(
        said.iter().all(|r| r.says_nothing_was_sent() && r.to_string().contains("othing was sent"))
    );
    let rbac = Refusal::RbacDenied(Denial { action: "a".into(), reason: "b".into() });
    assert!(!rbac.says_nothing_was_sent() && !Refusal::Policy("x".into()).says_nothing_was_sent());
}
