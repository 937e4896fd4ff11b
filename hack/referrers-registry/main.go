// Command referrers-registry serves an OCI registry WITH the referrers API
// (GET /v2/<repo>/referrers/<digest>) on loopback, for the tests and benchmarks that need one.
// It exists because distribution 3.1 (the main test registry) has no referrers API, and
// `crane registry serve` does not turn go-containerregistry's on. Manifests live in memory;
// blobs in memory, or under -blobs when given. Built by hack/build-test-tools.sh.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
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
	log.Fatal(http.Serve(listener, conformArtifactType(registry.New(opts...))))
}

// conformArtifactType makes referrers answers follow the OCI distribution spec 1.1: a
// descriptor's artifactType is the referrer manifest's artifactType when it has one, else its
// config mediaType. go-containerregistry v0.22.1 always reports the config mediaType, which
// would list cosign v3's bundles (artifactType application/vnd.dev.sigstore.bundle.v0.3+json,
// config application/vnd.oci.empty.v1+json) under the empty type; registries implementing the
// API (zot, Harbor, the cloud registries) report the manifest's.
func conformArtifactType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elems := strings.Split(strings.TrimPrefix(r.URL.Path, "/v2/"), "/")
		if r.Method != http.MethodGet || len(elems) < 3 || elems[len(elems)-2] != "referrers" {
			next.ServeHTTP(w, r)
			return
		}
		answer := httptest.NewRecorder()
		next.ServeHTTP(answer, r)
		var index v1.IndexManifest
		if answer.Code != http.StatusOK || json.Unmarshal(answer.Body.Bytes(), &index) != nil {
			copyAnswer(w, answer)
			return
		}
		repo := strings.Join(elems[:len(elems)-2], "/")
		for i, d := range index.Manifests {
			got := httptest.NewRecorder()
			next.ServeHTTP(got, httptest.NewRequest(http.MethodGet,
				"/v2/"+repo+"/manifests/"+d.Digest.String(), nil))
			var referrer struct {
				ArtifactType string `json:"artifactType"`
			}
			if got.Code == http.StatusOK && json.Unmarshal(got.Body.Bytes(), &referrer) == nil &&
				referrer.ArtifactType != "" {
				index.Manifests[i].ArtifactType = referrer.ArtifactType
			}
		}
		body, err := json.Marshal(index)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", string(types.OCIImageIndex))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
}

func copyAnswer(w http.ResponseWriter, answer *httptest.ResponseRecorder) {
	for name, values := range answer.Header() {
		w.Header()[name] = values
	}
	w.WriteHeader(answer.Code)
	w.Write(answer.Body.Bytes())
}
