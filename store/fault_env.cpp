#include "store/fault_env.hpp"

#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>

#include <atomic>
#include <string>

namespace zwerm::store {

namespace {

leveldb::Status disk_full(const std::string& name) {
  return leveldb::Status::IOError(name, "No space left on device");
}

struct switches {
  std::atomic<bool> full{false};
  std::atomic<std::uint64_t> failed{0};

  bool fail() {
    if (!full.load()) return false;
    failed.fetch_add(1);
    return true;
  }
};

class failing_file : public leveldb::WritableFile {
 public:
  failing_file(std::string name, leveldb::WritableFile* base, switches* sw)
      : name_(std::move(name)), base_(base), sw_(sw) {}
  ~failing_file() override { delete base_; }

  leveldb::Status Append(const leveldb::Slice& data) override {
    if (sw_->fail()) return disk_full(name_);
    return base_->Append(data);
  }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override {
    if (sw_->fail()) return disk_full(name_);
    return base_->Flush();
  }
  leveldb::Status Sync() override {
    if (sw_->fail()) return disk_full(name_);
    return base_->Sync();
  }

 private:
  std::string name_;
  leveldb::WritableFile* base_;
  switches* sw_;
};

class failing_env : public leveldb::EnvWrapper {
 public:
  failing_env(leveldb::Env* base, switches* sw) : leveldb::EnvWrapper(base), sw_(sw) {}

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    *r = nullptr;
    if (sw_->fail()) return disk_full(f);
    leveldb::WritableFile* base = nullptr;
    auto s = target()->NewWritableFile(f, &base);
    if (s.ok()) *r = new failing_file(f, base, sw_);
    return s;
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    *r = nullptr;
    if (sw_->fail()) return disk_full(f);
    leveldb::WritableFile* base = nullptr;
    auto s = target()->NewAppendableFile(f, &base);
    if (s.ok()) *r = new failing_file(f, base, sw_);
    return s;
  }

 private:
  switches* sw_;
};

}  // namespace

struct fault_env::impl {
  explicit impl(bool in_memory)
      : memory(in_memory ? leveldb::NewMemEnv(leveldb::Env::Default()) : nullptr),
        env(memory ? memory.get() : leveldb::Env::Default(), &sw) {}
  switches sw;
  std::unique_ptr<leveldb::Env> memory;
  failing_env env;
};

leveldb::Env* fault_env::leveldb_env() {
  return &impl_->env;
}

std::shared_ptr<fault_env> fault_env::create() {
  return std::shared_ptr<fault_env>(new fault_env(std::make_unique<impl>(false)));
}

std::shared_ptr<fault_env> fault_env::create_in_memory() {
  return std::shared_ptr<fault_env>(new fault_env(std::make_unique<impl>(true)));
}

fault_env::fault_env(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
fault_env::~fault_env() = default;

void fault_env::set_disk_full(bool full) {
  impl_->sw.full.store(full);
}
std::uint64_t fault_env::failed_writes() const {
  return impl_->sw.failed.load();
}

}  // namespace zwerm::store
