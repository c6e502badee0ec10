#include "node/records/record_fork.hpp"

#include "node/records/record_parse.hpp"

namespace zwerm::node {

namespace {

constexpr std::size_t max_record_size = max_payload_size + signature_size;

void put_u32(std::string* out, std::size_t n) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift & 0xff));
}

bool get_u32(std::string_view* in, std::size_t* n) {
  if (in->size() < 4) return false;
  *n = 0;
  for (int i = 0; i < 4; ++i)
    *n = *n << 8 | static_cast<unsigned char>((*in)[static_cast<std::size_t>(i)]);
  in->remove_prefix(4);
  return true;
}

rejection malformed(std::string what) {
  return {reject_reason::malformed_fork_proof, rejection::no_offset,
          "malformed fork proof: " + std::move(what)};
}

}  // namespace

std::optional<fork_proof> detect_fork(const record& a, const record& b) {
  if (a.community != b.community || a.author != b.author || a.seq != b.seq || a.id == b.id) {
    return std::nullopt;
  }
  if (a.id < b.id) return fork_proof{a.bytes, b.bytes};
  return fork_proof{b.bytes, a.bytes};
}

record_result<fork_facts> verify_fork_proof(const fork_proof& proof) {
  auto a = parse_record(proof.first);
  if (!a) {
    rejection e = a.error();
    e.message = "the first record of the fork proof is invalid: " + e.message;
    return e;
  }
  auto b = parse_record(proof.second);
  if (!b) {
    rejection e = b.error();
    e.message = "the second record of the fork proof is invalid: " + e.message;
    return e;
  }
  if (a->community != b->community || a->author != b->author || a->seq != b->seq) {
    return rejection{reject_reason::not_a_fork, rejection::no_offset,
                     "the two records of the fork proof are not from the same community, author "
                     "and seq"};
  }
  if (a->id == b->id) {
    return rejection{reject_reason::not_a_fork, rejection::no_offset,
                     "the two records of the fork proof are the same record"};
  }
  return fork_facts{a->community, a->author, a->seq, a->id, b->id};
}

std::string encode_fork_proof(const fork_proof& proof) {
  std::string out;
  out.reserve(8 + proof.first.size() + proof.second.size());
  put_u32(&out, proof.first.size());
  out += proof.first;
  put_u32(&out, proof.second.size());
  out += proof.second;
  return out;
}

record_result<fork_proof> decode_fork_proof(std::string_view bytes) {
  fork_proof proof;
  for (std::string* part : {&proof.first, &proof.second}) {
    std::size_t n;
    if (!get_u32(&bytes, &n)) return malformed("a length field is cut short");
    if (n > max_record_size) {
      return malformed("a record length of " + std::to_string(n) + " exceeds the record limit of " +
                       std::to_string(max_record_size) + " bytes");
    }
    if (bytes.size() < n) return malformed("a record is cut short");
    *part = std::string(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  if (!bytes.empty())
    return malformed(std::to_string(bytes.size()) + " bytes after the second record");
  return proof;
}

}  // namespace zwerm::node
