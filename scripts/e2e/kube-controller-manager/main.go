// Command kube-controller-manager is the upstream kube-controller-manager, built unchanged from
// the same k8s.io/kubernetes module as scripts/e2e/kube-apiserver. The real-controllers tier
// (scripts/e2e-okg.sh) runs only its garbagecollector, namespace and serviceaccount controllers:
// without the garbage collector a GameServer owned by a deleted pod is never removed.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	// Same entry point as cmd/kube-controller-manager/controller-manager.go upstream.
	command := app.NewControllerManagerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
