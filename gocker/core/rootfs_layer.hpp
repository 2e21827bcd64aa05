// Each container's own view of ROOTFS: an overlay (ROOTFS the read-only lower layer, the
// container's writes in its own upper directory) mounted by gocker at ID/merged before the
// runtime's create, or a copy at ID/rootfs when overlayfs is not available. ROOTFS itself is
// never written, so many containers can share one.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "run_options.hpp"
#include "store.hpp"

namespace gocker::core {

struct RootfsLayer {
    std::string path;     // what config.json's root.path names
    std::string storage;  // "overlay" or "copy"
    std::string note;     // why a copy was made instead of an overlay ("" for an overlay)
};

// With a user namespace the container's root must own its writable layer: the overlay's upper
// directory (so the root directory and new files are the container's), or every file of the copy
// (ids shifted through the map, as bundles/make-bundle.sh --map-root does).
Result<RootfsLayer> make_rootfs_layer(const Store& store, const std::string& id, const std::string& rootfs,
                                      Storage wanted, const std::vector<spec::IdMapping>& userns);

// Unmounts the overlay (when mounted) and removes the container's directory. Refuses to remove
// anything while something is still mounted there.
Status remove_container_files(const Store& store, const std::string& id);

}  // namespace gocker::core
