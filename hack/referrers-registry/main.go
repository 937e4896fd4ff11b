// Command referrers-registry serves an OCI registry WITH the referrers API
// (GET /v2/<repo>/referrers/<digest>) on loopback, for the tests and benchmarks that need one.
// It exists because distribution 3.1 (the main test registry) has no referrers API, and
// `crane registry serve` does not turn go-containerregistry's on. Manifests live in memory;
// blobs in memory, or under -blobs when given. Built by hack/build-test-tools.sh.
//
// Served as go-containerregistry answers, on purpose: its referrers listing gives each referrer
// its config's media type as artifactType (application/vnd.oci.empty.v1+json for cosign v3's
// bundles) instead of the manifest's artifactType, as some registries do; the verifier must
// still find the bundles (operator/imageverify/registry_source.cc).
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on")
	blobs := flag.String("blobs", "", "directory for blobs (default: memory)")
	verbose := flag.Bool("v", false, "log every request to stderr")
	flag.Parse()

	logger := log.New(io.Discard, "", 0)
	if *verbose {
		logger = log.New(os.Stderr, "", log.LstdFlags)
	}
	opts := []registry.Option{registry.WithReferrersSupport(true), registry.Logger(logger)}
	if *blobs != "" {
		if err := os.MkdirAll(*blobs, 0o700); err != nil {
			log.Fatal(err)
		}
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(*blobs)))
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving on %s", listener.Addr())
	log.Fatal(http.Serve(listener, registry.New(opts...)))
}
