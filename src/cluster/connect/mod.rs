//! The parts of connecting that kube-rs does not do as kubectl does: which kubeconfig files to
//! read (`kubeconfig`), the pod's service account (`incluster`), which proxy to use (`proxy`),
//! exec credential plugins run once per process (`exec_auth`), and client certificates checked
//! before rustls turns them into a puzzling error (`certs`). `cluster::client` puts them together.
pub mod certs;
pub mod exec_auth;
pub mod incluster;
pub mod kubeconfig;
pub mod proxy;
