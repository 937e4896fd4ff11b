// What the operator's workload caches hold per object (issue 17, "Compact caches"): reads
// Kubernetes lists (`kubectl get deployments,replicasets,pods -A -o json > list.json`, one or
// more files), caches every item as the operator does (manager::CacheWorkloadValue), and prints
// per kind the heap bytes a value takes as nlohmann's tree (the cache before) and packed as
// CBOR (the cache now), and what unpacking one costs (a namespace pass unpacks each of its
// top-level workloads once). Heap bytes are glibc's mallinfo2 `uordblks` before and after.
//   bench/cache_memory_bench LIST.json...
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "csp/manager/caches.h"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::size_t HeapInUse() { return mallinfo2().uordblks; }

struct Items {
  std::string api_version;
  std::vector<json> objects;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s LIST.json...\n", argv[0]);
    return 2;
  }
  std::map<std::string, Items> by_kind;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    json list = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) {
      std::fprintf(stderr, "%s: not a Kubernetes list (no items)\n", argv[i]);
      return 1;
    }
    for (json& item : list["items"]) {
      if (!item.is_object() || !item.contains("kind")) continue;
      Items& items = by_kind[item["kind"].get<std::string>()];
      items.api_version = item.value("apiVersion", "");
      item["metadata"].erase("managedFields");  // the operator's LIST drops them (caches.cc)
      item.erase("status");
      items.objects.push_back(std::move(item));
    }
  }
  std::printf("%-12s %8s %6s %12s %12s %12s\n", "kind", "objects", "owned", "tree B/obj",
              "packed B/obj", "unpack us");
  for (const auto& [kind, items] : by_kind) {
    const std::size_t n = items.objects.size();
    std::size_t owned = 0;
    // Before: the cached value as the tree it was (CacheWorkloadValue's object, unpacked).
    std::vector<json> trees;
    trees.reserve(n);
    std::vector<csp::manager::CachedWorkload> packed;
    packed.reserve(n);
    const std::size_t before_trees = HeapInUse();
    for (const json& o : items.objects) {
      trees.push_back(csp::manager::CacheWorkloadValue(o, items.api_version, kind).object.Unpack());
    }
    const std::size_t tree_bytes = HeapInUse() - before_trees;
    const std::size_t before_packed = HeapInUse();
    for (const json& o : items.objects) {
      packed.push_back(csp::manager::CacheWorkloadValue(o, items.api_version, kind));
      owned += packed.back().owned ? 1 : 0;
    }
    const std::size_t packed_bytes = HeapInUse() - before_packed;
    const auto start = Clock::now();
    std::size_t members = 0;
    for (int round = 0; round < 10; ++round) {
      for (const auto& value : packed) members += value.object.Unpack().size();
    }
    const double unpack_us =
        std::chrono::duration<double, std::micro>(Clock::now() - start).count() / (10.0 * n);
    std::printf("%-12s %8zu %6zu %12.0f %12.0f %12.2f\n", kind.c_str(), n, owned,
                double(tree_bytes) / n, double(packed_bytes) / n, members > 0 ? unpack_us : 0.0);
  }
  return 0;
}
