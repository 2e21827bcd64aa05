// `start`'s side of the exec FIFO: the init blocks opening it for writing until `start` opens
// it for reading, writes one byte, and then either execs (the descriptor is close-on-exec, so
// the FIFO reaches end-of-file) or writes its error and exits.
//
// Whoever else can open the FIFO could hold it open (no end-of-file ever) or write text into
// it. So the verdict never rests on the FIFO alone: the init has execed when it is alive, runs
// another program than the runtime's, and holds no descriptor of the FIFO any more; it has
// failed when it exited. Text is reported only when the init exited.
#pragma once

#include <sys/types.h>

#include <optional>

#include "common/result.hpp"

namespace gocker {

// A file by device and inode. exe_of(): the file the init runs now (/proc/<pid>/exe), to be
// taken *before* the FIFO is opened: the init may exec as soon as it is.
struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};
std::optional<FileId> exe_of(pid_t pid);

// Waits until the init `pid` (`pidfd`) has execed the container's program (ok) or failed (its
// error text, or a generic reason). `fifo` is the FIFO opened O_RDONLY|O_NONBLOCK;
// `runtime_exe` is exe_of(pid) from before it was opened.
Status wait_for_exec(int fifo, int pidfd, pid_t pid, const std::optional<FileId>& runtime_exe);

}  // namespace gocker
