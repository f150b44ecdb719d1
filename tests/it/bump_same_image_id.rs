//! `okg bump` to an image whose imageID the pods already have: a rollback from a tag that could
//! not be pulled, and a re-tag of the same digest. OpenKruise counts both in place (the status
//! image is the spec image), and so must the console (issue 11).
use crate::support::{Demo, demo, template_image, verdicts, with_tag};

/// `okg bump gss-2048 --container sidecar --image IMAGE --yes --wait -o json` plus `extra`.
async fn bump(d: &Demo, image: &str, extra: &[&str]) -> crate::support::Run {
    let mut args =
        vec!["bump", "gss-2048", "--container", "sidecar", "--image", image, "--yes", "--wait"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", "json"]);
    d.okg(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_back_from_a_missing_tag_is_in_place() {
    let d = demo().await;
    let old = template_image(&d.client(), "gss-2048", "sidecar").await;
    let bad =
        bump(&d, &with_tag(&old, "v2.0-missing"), &["--timeout", "8s", "--fail-after", "1s"]).await;
    assert_eq!(bad.code, 3, "{bad:?}");
    let broken: Vec<String> =
        verdicts(&bad.json()).into_iter().filter(|(_, v)| v == "failed").map(|(p, _)| p).collect();
    assert!(!broken.is_empty(), "{bad:?}");
    // The kubelet kept the old container's image and imageID through the failed pull: the
    // rollback restarts it on the same imageID.
    let back = bump(&d, &old, &["--timeout", "30s"]).await;
    assert_eq!(back.code, 0, "{back:?}");
    let got = verdicts(&back.json());
    for pod in &broken {
        assert_eq!(got.get(pod).map(String::as_str), Some("inPlace"), "{pod}: {back:?}");
    }
    assert!(back.stderr.contains("imageID unchanged (same image digest)"), "{}", back.stderr);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_tag_of_the_same_digest_is_in_place() {
    let d = demo().await;
    let old = template_image(&d.client(), "gss-2048", "sidecar").await;
    let tag = okg_domain::image::ImageRef::parse(&old).unwrap().tag.unwrap();
    // The demo's runtime gives `T-retag` the digest of `T`.
    let run = bump(&d, &with_tag(&old, &format!("{tag}-retag")), &["--timeout", "30s"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let got = verdicts(&run.json());
    assert!(!got.is_empty() && got.values().all(|v| v == "inPlace"), "{run:?}");
    d.cluster.shutdown().await;
}
