// The "tmpcopyup" mount option (runc's and crun's extension, podman --read-only uses it): a tmpfs
// mounted over a directory of the image starts with a copy of what the image had there.
//
// The image is hostile, so the copy walks file descriptors only: every entry is opened relative
// to its parent's fd with O_NOFOLLOW (directories with O_DIRECTORY too), checked with fstat after
// opening, and never resolved by path. A symlink is copied as a symlink (its target is text, never
// followed); directories, regular files, symlinks, FIFOs and sockets keep their owner, mode
// (setuid, setgid, sticky included), timestamps and, where the tmpfs takes them, xattrs; device
// nodes are re-created when the kernel allows it (not in a user namespace). Hard links become
// separate copies.
#pragma once

#include <string>

#include "common/result.hpp"

namespace gocker {

// Copies the content of the directory `src_dir` into the empty directory `dst_dir` (both fds
// open on directories), then gives `dst_dir` the owner, mode and times of `src_dir`. `shown` is
// the directory as the container sees it, for messages ("/run").
Status copy_up_tree(int src_dir, int dst_dir, const std::string& shown);

}  // namespace gocker
