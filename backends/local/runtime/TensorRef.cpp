// The registry of in-memory tensors that values refer to.
#include "backends/local/runtime/TensorRef.h"

namespace flyte::rt {
namespace {

constexpr const char* kTensorKey = "$tensor";

}  // namespace

bool is_tensor_ref(const Value& v) {
  if (!v.is_object() || v.size() != 1) return false;
  auto it = v.find(kTensorKey);
  return it != v.end() && it->is_number_integer() &&
         (it->is_number_unsigned() || it->get<int64_t>() >= 0);
}

Value TensorRegistry::put(TensorPtr t) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_++;
  tensors_.emplace(id, std::move(t));
  return Value{{kTensorKey, id}};
}

TensorPtr TensorRegistry::get(const Value& v) const {
  if (!is_tensor_ref(v)) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tensors_.find(v[kTensorKey].get<uint64_t>());
  return it == tensors_.end() ? nullptr : it->second;
}

void TensorRegistry::release(const Value& v) {
  if (!is_tensor_ref(v)) return;
  std::lock_guard<std::mutex> lock(mu_);
  tensors_.erase(v[kTensorKey].get<uint64_t>());
}

size_t TensorRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tensors_.size();
}

}  // namespace flyte::rt
