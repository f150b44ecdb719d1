// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3/etcdmain),
// the same code the release binary runs, for the e2e tier's kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
