// A process-wide pool of worker threads for encode_batch. Keeping the threads alive keeps their
// per-thread word caches (models/word_cache.h) warm from one batch to the next, as HF's rayon pool.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace afinar::tokenizers {

class WorkerPool {
 public:
  static WorkerPool& instance() {
    static WorkerPool* pool = new WorkerPool();  // never destroyed: workers may outlive main's statics
    return *pool;
  }

  /// Runs `f` on `n` threads (the caller and n - 1 workers) and returns when all are done.
  /// A call made while another runs (from another thread) uses threads of its own.
  void run(size_t n, const std::function<void()>& f) {
    std::unique_lock<std::mutex> busy(run_mu_, std::try_to_lock);
    if (!busy.owns_lock() || n <= 1) {
      if (n <= 1) return f();
      std::vector<std::thread> own;
      for (size_t t = 1; t < n; ++t) own.emplace_back(f);
      f();
      for (auto& t : own) t.join();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (workers_.size() < n - 1) {
        size_t index = workers_.size();
        workers_.emplace_back([this, index] { loop(index); });
      }
      job_ = &f;
      wanted_ = n - 1;
      pending_ = n - 1;
      ++generation_;
    }
    wake_.notify_all();
    f();
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(size_t index) {
    size_t seen = 0;
    for (;;) {
      const std::function<void()>* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (index >= wanted_) continue;
        job = job_;
      }
      (*job)();
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) done_.notify_all();
    }
  }

  std::mutex run_mu_, mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void()>* job_ = nullptr;
  size_t wanted_ = 0, pending_ = 0, generation_ = 0;
};

}  // namespace afinar::tokenizers
