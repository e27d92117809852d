#include "r1/tokenizer/bpe.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <utility>

namespace r1::tokenizer {

namespace {

constexpr size_t kMaxCachedWord = 256;  // HF's BPE caches words shorter than this too
constexpr size_t kCacheShards = 32;

uint64_t pair_key(TokenId left, TokenId right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
}

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: pair keys are far from uniform
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

// Open addressing with linear probing: (left, right) -> (rank, merged). The lookup is the inner
// loop of encoding, so no node-based map.
struct Bpe::MergeTable {
    struct Slot {
        uint64_t key = ~0ULL;
        uint32_t rank = 0;
        TokenId merged = 0;
    };

    std::vector<Slot> slots;
    size_t mask = 0;

    explicit MergeTable(size_t n) {
        size_t size = 16;
        while (size < 2 * n + 1) {
            size <<= 1;
        }
        slots.resize(size);
        mask = size - 1;
    }

    void put(uint64_t key, uint32_t rank, TokenId merged) {
        for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
            if (slots[i].key == key || slots[i].key == ~0ULL) {
                slots[i] = {key, rank, merged};
                return;
            }
        }
    }

    const Slot* get(uint64_t key) const {
        for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
            if (slots[i].key == key) {
                return &slots[i];
            }
            if (slots[i].key == ~0ULL) {
                return nullptr;
            }
        }
    }
};

struct Bpe::Cache {
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, std::vector<TokenId>, StringHash, std::equal_to<>> words;
    };

    std::array<Shard, kCacheShards> shards;
    size_t capacity_per_shard = 0;
};

Bpe::Bpe(std::unordered_map<std::string, TokenId> vocab,
         const std::vector<MergeRule>& merges,
         BpeOptions options)
    : merges_(std::make_unique<MergeTable>(merges.size())),
      cache_(std::make_unique<Cache>()),
      options_(options),
      merge_count_(merges.size()) {
    vocab_.reserve(vocab.size());
    for (auto& [bytes, id] : vocab) {
        vocab_.emplace(bytes, id);
    }
    byte_ids_.fill(-1);
    for (int b = 0; b < 256; ++b) {
        byte_ids_[b] = find(std::string(1, static_cast<char>(b)));
    }
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        merges_->put(pair_key(merges[rank].left, merges[rank].right), static_cast<uint32_t>(rank),
                     merges[rank].merged);
    }
    cache_->capacity_per_shard = options_.cache_capacity / kCacheShards;
}

Bpe::~Bpe() = default;

TokenId Bpe::find(std::string_view bytes) const {
    auto it = vocab_.find(bytes);
    return it == vocab_.end() ? -1 : it->second;
}

void Bpe::encode_word(std::string_view word, std::vector<TokenId>& out) const {
    if (word.size() == 1) {
        const TokenId id = byte_ids_[static_cast<unsigned char>(word[0])];
        if (id >= 0 || options_.unk_id >= 0) {
            out.push_back(id >= 0 ? id : options_.unk_id);
        }
        return;
    }
    if (options_.ignore_merges) {
        if (const TokenId id = find(word); id >= 0) {
            out.push_back(id);
            return;
        }
    }
    const bool cacheable =
        cache_->capacity_per_shard > 0 && word.size() < kMaxCachedWord && merge_count_ > 0;
    if (!cacheable) {
        merge(word, out);
        return;
    }
    Cache::Shard& shard = cache_->shards[std::hash<std::string_view>{}(word) % kCacheShards];
    {
        std::lock_guard lock(shard.mutex);
        if (auto it = shard.words.find(word); it != shard.words.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const size_t first = out.size();
    merge(word, out);
    std::lock_guard lock(shard.mutex);
    if (shard.words.size() < cache_->capacity_per_shard) {  // full: stop adding, as HF's cache does
        shard.words.emplace(std::string(word),
                            std::vector<TokenId>(out.begin() + first, out.end()));
    }
}

// HF's Word::merge_all: pop the lowest (rank, position); skip stale entries; merge; push the new
// pairs with both neighbours.
namespace {

struct Symbol {  // one node of the linked list a word is merged in
    TokenId id;  // -1 once merged into its left neighbour
    int32_t prev;
    int32_t next;
};

struct Candidate {  // a pair that may merge; stale once either side changed
    uint32_t rank;
    int32_t pos;
    TokenId merged;

    bool operator>(const Candidate& o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
};

// The word's bytes as linked symbols (bytes without a token become unk, or are dropped).
bool split_bytes(std::string_view word,
                 const std::array<TokenId, 256>& byte_ids,
                 TokenId unk_id,
                 std::vector<Symbol>& symbols) {
    symbols.clear();
    for (unsigned char b : word) {
        const TokenId id = byte_ids[b] >= 0 ? byte_ids[b] : unk_id;
        if (id >= 0) {
            const auto n = static_cast<int32_t>(symbols.size());
            symbols.push_back({id, n - 1, n + 1});
        }
    }
    if (symbols.empty()) {
        return false;
    }
    symbols.back().next = -1;
    return true;
}

}  // namespace

void Bpe::merge(std::string_view word, std::vector<TokenId>& out) const {
    thread_local std::vector<Symbol> symbols;
    thread_local std::vector<Candidate> heap;  // a min-heap on (rank, pos) via std::greater
    if (!split_bytes(word, byte_ids_, options_.unk_id, symbols)) {
        return;
    }
    heap.clear();
    auto push_pair = [&](int32_t pos) {
        const int32_t next = symbols[pos].next;
        if (next >= 0) {
            if (const auto* m = merges_->get(pair_key(symbols[pos].id, symbols[next].id))) {
                heap.push_back({m->rank, pos, m->merged});
                std::push_heap(heap.begin(), heap.end(), std::greater<>{});
            }
        }
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) {
        push_pair(i);
    }
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
        const Candidate top = heap.back();
        heap.pop_back();
        Symbol& current = symbols[top.pos];
        if (current.id < 0 || current.next < 0) {
            continue;  // merged away, or the pair's right side is gone
        }
        const Symbol right = symbols[current.next];
        const auto* m = merges_->get(pair_key(current.id, right.id));
        if (m == nullptr || m->merged != top.merged) {
            continue;  // stale: one side changed since this candidate was pushed
        }
        symbols[current.next].id = -1;
        current.id = top.merged;
        current.next = right.next;
        if (right.next >= 0) {
            symbols[right.next].prev = top.pos;
        }
        if (current.prev >= 0) {
            push_pair(current.prev);
        }
        push_pair(top.pos);
    }
    for (int32_t i = 0; i >= 0; i = symbols[i].next) {
        out.push_back(symbols[i].id);
    }
}

}  // namespace r1::tokenizer
