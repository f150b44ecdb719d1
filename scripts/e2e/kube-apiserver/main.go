// Command kube-apiserver is the upstream kube-apiserver, built unchanged from
// k8s.io/kubernetes so the e2e tier can run against a real API server
// without a downloaded release binary (only the Go module proxy is reachable).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	// Same entry point as cmd/kube-apiserver/apiserver.go upstream.
	command := app.NewAPIServerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
