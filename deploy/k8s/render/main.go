// Command render prints the kustomize build of one directory (an overlay) as YAML on stdout.
// It embeds kustomize's own library (krusty), so the test suite needs Go but no kustomize or
// kubectl binary: `go run . ../overlays/production`.
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: render <kustomization-dir>")
		os.Exit(2)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomize build failed:", err)
		os.Exit(1)
	}
	out, err := resources.AsYaml()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomize yaml:", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
