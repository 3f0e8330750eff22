// A bump allocator for AST nodes: one allocation per block of nodes, and destructors run
// in reverse order when the arena goes away.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace flyte {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (auto it = dtors_.rbegin(); it != dtors_.rend(); ++it) it->fn(it->obj);
  }

  /// Constructs a `T` in the arena, such as `arena.make<NameExpr>(range, name)`.
  template <class T, class... Args>
  T* make(Args&&... args) {
    void* mem = allocate(sizeof(T), alignof(T));
    T* obj = new (mem) T{std::forward<Args>(args)...};
    if constexpr (!std::is_trivially_destructible_v<T>) {
      dtors_.push_back({obj, [](void* p) { static_cast<T*>(p)->~T(); }});
    }
    return obj;
  }

  /// Copies `n` values that need no destructor into the arena, such as a `let`'s names;
  /// null when `n` is 0.
  template <class T>
  T* copy(const T* from, size_t n) {
    static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_copyable_v<T>);
    if (n == 0) return nullptr;
    // T may be a pointer (a block's statements), whose size is what is meant here.
    // NOLINTNEXTLINE(bugprone-sizeof-expression)
    T* to = static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    std::uninitialized_copy_n(from, n, to);
    return to;
  }

 private:
  static constexpr size_t kBlockSize = size_t{64} * 1024;

  void* allocate(size_t size, size_t align) {
    size_t at = (used_ + align - 1) & ~(align - 1);
    if (blocks_.empty() || at + size > capacity_) {
      capacity_ = size > kBlockSize ? size : kBlockSize;
      // Default-initialized: nodes are constructed in place, so zeroing would be wasted.
      blocks_.push_back(std::unique_ptr<std::byte[]>(new std::byte[capacity_]));
      at = 0;
    }
    used_ = at + size;
    return blocks_.back().get() + at;
  }

  struct Dtor {
    void* obj;
    void (*fn)(void*);
  };
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::vector<Dtor> dtors_;
  size_t used_ = 0;
  size_t capacity_ = 0;
};

}  // namespace flyte
