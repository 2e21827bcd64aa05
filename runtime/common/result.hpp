// Result<T> / Status: the error type used on the host side of the runtime.
//
// An Error carries what was being done (a context chain, outermost first) and the system's
// reason (an errno). Its message() is one line in the shape the user sees:
//   create foo: mount "proc" on /proc: permission denied
// No exceptions cross the clone boundary: the container side reports errors over the sync
// socket as (context, errno) and the parent turns them back into an Error.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace gocker {

// strerror() text in lower case ("Permission denied" -> "permission denied"), as runc prints.
std::string errno_text(int err);

class Error {
public:
    Error() = default;
    explicit Error(std::string context, int sys_errno = 0) : context_(std::move(context)), errno_(sys_errno) {}

    // Prepends "what: " to the context chain.
    Error&& wrap(std::string_view what) && {
        context_ = std::string(what) + (context_.empty() ? "" : ": ") + context_;
        return std::move(*this);
    }
    Error& wrap(std::string_view what) & {
        context_ = std::string(what) + (context_.empty() ? "" : ": ") + context_;
        return *this;
    }

    const std::string& context() const { return context_; }
    int sys_errno() const { return errno_; }
    std::string message() const;

private:
    std::string context_;
    int errno_ = 0;
};

// Error built from the current errno. errno is read before anything else happens: a message
// built by concatenation allocates, and allocating (or any call made to describe the failure) may
// change errno, so a context that has to be computed is passed as a callable, run after errno is
// saved:  sys_error("fork"),  sys_error(what),  sys_error([&] { return "open " + path; }).
// A temporary string (sys_error("open " + path)) does not compile: it was built before the call.
inline Error sys_error(const char* context) {
    const int err = errno;
    return Error(context, err);
}
inline Error sys_error(const std::string& context) {
    const int err = errno;
    return Error(context, err);
}
Error sys_error(std::string&& context) = delete;
template <class MakeContext>
requires std::is_invocable_r_v<std::string, MakeContext&> Error sys_error(MakeContext&& make_context) {
    const int err = errno;
    return Error(make_context(), err);
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error err) : v_(std::in_place_index<1>, std::move(err)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    Error& error() & { return std::get<1>(v_); }
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error err) : err_(std::move(err)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    void value() const {}

    Error& error() & { return err_; }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }

private:
    Error err_;
    bool failed_ = false;
};

using Status = Result<void>;
inline Status ok_status() { return {}; }

}  // namespace gocker

// GK_TRY(expr): evaluates a Result; on error returns it from the enclosing function,
// otherwise yields its value. GK_TRY_CTX adds context ("what: ...") on the way out.
#define GK_TRY(expr)                                      \
    ({                                                    \
        auto&& gk_r_ = (expr);                            \
        if (!gk_r_.ok()) return std::move(gk_r_).error(); \
        std::move(gk_r_).value();                         \
    })

#define GK_TRY_CTX(expr, ctx)                                       \
    ({                                                              \
        auto&& gk_r_ = (expr);                                      \
        if (!gk_r_.ok()) return std::move(gk_r_).error().wrap(ctx); \
        std::move(gk_r_).value();                                   \
    })
