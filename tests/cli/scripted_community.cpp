#include "tests/cli/scripted_community.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/records/record_writer.hpp"

namespace zwerm::test {
namespace {

using json = nlohmann::json;
using node::record;

constexpr std::int64_t hour = 3'600'000;
constexpr std::int64_t day = 24 * hour;
constexpr std::int64_t week = 7 * day;
constexpr std::int64_t t0 = 1'788'739'200'000;  // Monday 7 September 2026, 00:00 UTC

// Day `d` (0: the community's first) at `h` o'clock, `m` minutes.
constexpr std::int64_t at(int d, int h, int m = 0) {
  return t0 + d * day + h * hour + m * 60'000;
}

enum who : std::size_t {
  ada,
  bram,
  chiara,
  dewi,
  emile,
  fatma,
  gijs,
  hanneke,
  ilse,
  jurre,
  kees,
  lotte,
  jurgen,
  tom,
  zoe,
  member_count
};

// One feed writer per member, each keeping seq, prev and lamport right; every record written
// is observed by all of them, so each new record sorts after every earlier one.
class script {
 public:
  script() {
    for (std::size_t i = 0; i < member_count; ++i) {
      crypto::seed s;
      s.bytes.fill(0);
      const std::string tag = "zwerm golden member";
      for (std::size_t j = 0; j < tag.size(); ++j) s.bytes[j] = static_cast<std::uint8_t>(tag[j]);
      s.bytes[31] = static_cast<std::uint8_t>(i + 1);
      keys_[i] = crypto::key_pair_from_seed(s);
    }
  }

  const crypto::key_pair& keys(who w) const { return keys_[w]; }
  std::string id(who w) const { return crypto::to_text(keys_[w].pk); }
  static std::string id(const record& r) { return crypto::to_text(r.id); }

  record genesis(who w, const json& body, std::int64_t ts) {
    auto g = node::write_genesis(body.dump(), ts, keys_[w]);
    if (!g.ok()) throw std::runtime_error(g.error().message());
    community_ = community_of_genesis(g->id);
    writers_[w].emplace(node::feed_writer::after_genesis(keys_[w], *g));
    return keep(*g);
  }

  record write(who w, std::string type, const json& body, std::int64_t ts) {
    if (!writers_[w]) writers_[w].emplace(keys_[w], community_, std::nullopt, max_lamport_);
    auto r = writers_[w]->append(std::move(type), body.dump(), ts);
    if (!r.ok()) throw std::runtime_error(r.error().message());
    return keep(*r);
  }

  // The shapes of the bodies (PROTOCOL.md §3.2), so the script below reads as what happened.
  record invite(who by, who invitee, std::int64_t ts, const std::string& note = "") {
    return write(by, "member.invite",
                 {{"invitee", id(invitee)}, {"note", note}, {"expires_ts", ts + week}}, ts);
  }
  record join(who w, const record& invite, std::int64_t ts) {
    return write(w, "member.join", {{"invite", id(invite)}}, ts);
  }
  record profile(who w, const std::string& name, const std::string& about, const json& skills,
                 std::int64_t ts) {
    return write(w, "profile",
                 {{"name", name}, {"about", about}, {"skills", skills}, {"address", nullptr}}, ts);
  }
  record request(who w, const std::string& title, const std::string& body, const json& tags,
                 std::int64_t ts) {
    return write(w, "request", {{"title", title}, {"body", body}, {"tags", tags}}, ts);
  }
  record contribution(who w, const std::string& kind, const std::string& title, const json& tags,
                      std::int64_t ts, const record* answers = nullptr,
                      const record* circle = nullptr, const std::string& body = "") {
    return write(w, "contribution",
                 {{"kind", kind},
                  {"title", title},
                  {"body", body},
                  {"tags", tags},
                  {"answers", answers ? json(id(*answers)) : json(nullptr)},
                  {"circle", circle ? json(id(*circle)) : json(nullptr)}},
                 ts);
  }
  record thank(who w, const record& contribution, const std::string& note, std::int64_t ts) {
    return write(w, "thanks", {{"contribution", id(contribution)}, {"note", note}}, ts);
  }
  record agreement(who w, const std::string& text, const std::string& reason, std::int64_t ts) {
    return write(
        w, "proposal",
        {{"action", "agreement"}, {"text", text}, {"supersedes", nullptr}, {"reason", reason}}, ts);
  }
  record endorse(who w, const record& proposal, std::int64_t ts) {
    return write(w, "endorse", {{"proposal", id(proposal)}}, ts);
  }
  record circle_open(who w, const std::string& name, const std::string& purpose, std::int64_t ts) {
    return write(w, "circle.open", {{"name", name}, {"purpose", purpose}}, ts);
  }
  record circle(who w, const std::string& verb, const record& circle, std::int64_t ts) {
    return write(w, "circle." + verb, {{"circle", id(circle)}}, ts);
  }

  std::vector<record> records;

 private:
  record keep(const record& r) {
    max_lamport_ = std::max(max_lamport_, r.lamport);
    for (auto& w : writers_) {
      if (w) w->observe(r.lamport);
    }
    records.push_back(r);
    return r;
  }

  std::array<crypto::key_pair, member_count> keys_;
  std::array<std::optional<node::feed_writer>, member_count> writers_;
  community_id community_;
  std::uint64_t max_lamport_ = 0;
};

}  // namespace

scripted_community write_scripted_community() {
  script s;
  const json none = json::array();

  // Week 1: Ada starts the workshop and invites the first makers.
  s.genesis(ada,
            {{"name", "Werkplaats Noord"},
             {"purpose",
              "Make and repair things together in the neighbourhood, share tools and skills, and "
              "teach anyone who wants to learn how - from soldering a first LED to building a "
              "cargo bike frame."},
             {"policy", {{"invite_by", "member"}, {"quorum_pct", 40}}}},
            at(0, 9));
  s.profile(ada, "Ada", "Runs the Tuesday evenings; ask me anything about the space.",
            {"facilitation", "python", "retrospectives"}, at(0, 9, 10));
  auto inv_bram = s.invite(ada, bram, at(0, 10), "Bram from the furniture shop on the corner");
  auto inv_chiara = s.invite(ada, chiara, at(0, 10, 5));
  auto inv_dewi = s.invite(ada, dewi, at(0, 10, 10), "Dewi offered to keep the books");
  s.join(bram, inv_bram, at(1, 8));
  s.profile(bram, "Bram van der Heijden-Oosterhuis",
            "Furniture maker, CNC router wrangler, keeper of the good chisels.",
            {"woodworking", "cnc", "joinery"}, at(1, 8, 5));
  s.join(chiara, inv_chiara, at(1, 20));
  s.profile(chiara, "Chiara", "Electronics teacher; I repair radios for fun.",
            {"soldering", "electronics", "kicad", "3d-printing"}, at(1, 20, 3));
  s.join(dewi, inv_dewi, at(2, 12));
  s.profile(dewi, "Dewi", "", {"bookkeeping", "spreadsheets"}, at(2, 12, 1));
  auto inv_emile = s.invite(bram, emile, at(2, 14));
  auto inv_fatma = s.invite(bram, fatma, at(2, 14, 2));
  auto inv_gijs = s.invite(chiara, gijs, at(2, 21));
  auto inv_hanneke = s.invite(chiara, hanneke, at(2, 21, 4));
  s.join(emile, inv_emile, at(3, 9));
  s.profile(emile, "Émile", "Photographer. I document what we make.",
            {"photography", "video-editing"}, at(3, 9, 2));
  s.join(fatma, inv_fatma, at(3, 11));
  s.profile(fatma, "Fatma Yılmaz", "Tailor; sews bags from old sails and teaches the machines.",
            {"sewing", "pattern-making", "textiles"}, at(3, 11, 30));
  s.join(gijs, inv_gijs, at(3, 18));
  s.profile(gijs, "Gijs", "", {"welding", "metalwork"}, at(3, 18, 1));
  s.join(hanneke, inv_hanneke, at(3, 19));
  s.profile(hanneke, "Hanneke", "Tuinier; de binnenplaats is mijn werkplaats.",
            {"gardening", "composting", "beekeeping"}, at(3, 19, 2));
  auto repair_cafe = s.circle_open(
      ada, "repair café",
      "Fix neighbours' things on the first Saturday of the month: bring a broken lamp, leave "
      "with a working one and knowing how.",
      at(3, 20));
  s.circle(chiara, "join", repair_cafe, at(3, 21));
  s.circle(gijs, "join", repair_cafe, at(4, 7));

  // The first agreement: adopted by the fourth endorser of eight active members (quorum 40%).
  auto no_deposits = s.agreement(
      ada,
      "We bean-count nothing: tools are lent without deposits, and whoever breaks something says "
      "so the same day.",
      "So nobody has to keep a ledger of who borrowed what.", at(4, 10));
  s.endorse(bram, no_deposits, at(4, 12));
  s.endorse(chiara, no_deposits, at(4, 22));
  s.endorse(fatma, no_deposits, at(5, 9));

  auto lighting = s.request(
      dewi, "Looking for someone to review the wiring of our new workshop lighting",
      "The electrician left two junction boxes open.", {"electronics", "safety"}, at(5, 14));
  auto lighting_fix = s.contribution(
      chiara, "help", "Checked the workshop lighting: two junction boxes needed strain relief",
      {"electronics", "safety"}, at(6, 19), &lighting);
  s.thank(dewi, lighting_fix, "Thank you, I sleep better now the boxes are closed properly.",
          at(6, 21));

  // Week 2: more members, a compost question, a purpose change nobody wants enough.
  auto inv_ilse = s.invite(ada, ilse, at(7, 10));
  auto inv_jurre = s.invite(ada, jurre, at(7, 10, 1));
  auto inv_kees = s.invite(ada, kees, at(7, 10, 2));
  auto inv_lotte = s.invite(fatma, lotte, at(7, 15), "Lotte teaches at the school next door");
  s.join(ilse, inv_ilse, at(8, 9));
  s.profile(ilse, "Ilse", "Data analyst by day.", {"python", "data-analysis"}, at(8, 9, 1));
  s.join(jurre, inv_jurre, at(8, 12));
  s.profile(jurre, "Jurre", "Bike mechanic.", {"bikes"}, at(8, 12, 1));
  s.join(kees, inv_kees, at(8, 17));
  s.profile(kees, "Kees", "", {"laser-cutting", "inkscape"}, at(8, 17, 1));
  s.join(lotte, inv_lotte, at(8, 20));
  s.profile(lotte, "Lotte", "Teacher, learning to weld.", {"teaching", "dutch", "english"},
            at(8, 20, 1));
  auto compost =
      s.request(lotte, "Kan iemand uitleggen hoe ik een composthoop opzet die niet gaat stinken?",
                "", {"composting"}, at(9, 8));
  auto compost_answer =
      s.contribution(hanneke, "knowledge",
                     "Compost zonder stank: groen en bruin om en om, en elke twee weken omscheppen",
                     {"composting", "gardening"}, at(10, 7), &compost);
  s.thank(lotte, compost_answer, "Dank je! Het ruikt nu naar bosgrond in plaats van naar de kliko.",
          at(10, 19));
  auto shorter_purpose =
      s.write(fatma, "proposal",
              {{"action", "purpose"},
               {"text",
                "Make and repair things together in the neighbourhood, and teach anyone who wants "
                "to learn how."},
               {"reason", "Shorter, so it fits on the flyer."}},
              at(10, 11));
  s.endorse(lotte, shorter_purpose, at(10, 20));

  auto opening_hours = s.agreement(
      fatma,
      "The workshop is open on Tuesday and Thursday evenings from 19:00 to 22:00; whoever opens "
      "it also closes it and checks that the extraction fan is off.",
      "", at(11, 10));
  s.endorse(ada, opening_hours, at(11, 12));
  s.endorse(bram, opening_hours, at(11, 18));
  s.endorse(gijs, opening_hours, at(12, 8));
  s.endorse(kees, opening_hours, at(12, 21));

  auto laser = s.contribution(
      kees, "knowledge", "Laser cutter settings for 3 mm birch multiplex (speed, power, passes)",
      {"laser-cutting", "plywood"}, at(12, 22));
  s.thank(bram, laser, "Saved me a whole sheet of plywood, thank you!", at(13, 9));
  s.thank(ilse, laser, "", at(13, 20));

  // Weeks 3 and 4: two more members, circles for the cargo bikes and the kids' club.
  auto inv_jurgen = s.invite(ada, jurgen, at(14, 10), "Jürgen has a metal lathe");
  auto inv_tom = s.invite(ada, tom, at(14, 10, 5));
  s.join(jurgen, inv_jurgen, at(15, 9));
  s.profile(jurgen, "Jürgen Schmidt",
            "Retired toolmaker from Düsseldorf; happy to show anyone the lathe.",
            {"machining", "metal-lathe", "welding"}, at(15, 9, 30));
  s.join(tom, inv_tom, at(15, 22));
  s.profile(tom, "Tom", "", none, at(15, 22, 1));
  auto cargo = s.circle_open(gijs, "cargo bike build",
                             "Build two cargo bike frames for the neighbourhood food bank by the "
                             "end of the year, and write down how, so others can build the next "
                             "ones.",
                             at(15, 19));
  s.circle(jurgen, "join", cargo, at(15, 20));
  s.circle(bram, "join", cargo, at(16, 8));
  s.circle(jurre, "join", cargo, at(16, 9));
  auto kids =
      s.circle_open(chiara, "kids' electronics club",
                    "Soldering kits for children aged 9 to 12 on Saturday mornings.", at(16, 19));
  s.circle(lotte, "join", kids, at(16, 21));
  auto hitch = s.contribution(gijs, "help", "Welding the bike trailer hitch",
                              {"welding", "cargo-bike"}, at(17, 20), nullptr, &cargo);
  s.thank(jurgen, hitch, "Clean beads. I will take the second one.", at(17, 22));
  s.request(emile,
            "Who knows how to get the CNC router to home without crashing into the "
            "clamp?",
            "", {"cnc"}, at(18, 10));
  auto tool_library = s.request(dewi, "Help wanted: spreadsheet for the shared tool library loans",
                                "", {"spreadsheets"}, at(18, 11));
  auto truing_stand = s.contribution(jurre, "content", "Bike wheel truing stand, built from scrap",
                                     {"bikes"}, at(19, 16));
  s.thank(gijs, truing_stand, "", at(19, 18));
  auto loans = s.contribution(ilse, "content",
                              "Spreadsheet for the shared tool library: who has what, since when",
                              {"spreadsheets", "python"}, at(20, 21), &tool_library);
  s.thank(dewi, loans, "Precies wat ik zocht. De formules voor 'te laat' zijn slim.", at(21, 8));
  s.thank(ada, loans, "", at(21, 9));
  auto soldering_101 =
      s.contribution(chiara, "event", "Soldering workshop for beginners: slides and the parts list",
                     {"soldering", "teaching"}, at(21, 12), nullptr, &kids);
  s.thank(lotte, soldering_101, "", at(21, 15));
  s.thank(kees, soldering_101, "", at(21, 16));
  s.thank(emile, soldering_101, "My first LED blinks!", at(21, 17));
  s.write(jurre, "member.leave",
          {{"reason", "Moving to Groningen for work; thanks for the bike parts and the company."}},
          at(22, 18));

  s.write(ada, "steward.handover", {{"to", s.id(fatma)}}, at(24, 10));
  auto remove_tom =
      s.write(ilse, "proposal",
              {{"action", "remove"},
               {"member", s.id(tom)},
               {"reason",
                "Tom has not been seen since he joined and does not answer messages; he is "
                "welcome back with a new invite."}},
              at(25, 10));
  int hour_of_day = 12;
  for (who w : {ada, fatma, dewi, hanneke, kees}) s.endorse(w, remove_tom, at(25, hour_of_day++));

  // Weeks 5 to 8: the lathe, the bees, the photos, the posters, an open agreement.
  s.request(bram, "Best way to store walnut offcuts so they do not warp over winter", "",
            {"woodworking"}, at(27, 9));
  s.request(fatma,
            "Wie heeft een naaimachine die dik canvas aankan voor de tassen die we op de "
            "kerstmarkt willen verkopen?",
            "Mijn machine slaat steken over bij vier lagen.", {"sewing", "textiles"}, at(28, 14));
  auto lathe =
      s.contribution(jurgen, "knowledge",
                     "How to centre a part on the four-jaw chuck of the metal lathe, with photos",
                     {"machining", "metal-lathe"}, at(30, 11));
  s.thank(gijs, lathe, "", at(30, 13));
  s.thank(bram, lathe, "Finally understood the dial indicator trick.", at(30, 20));
  auto bees =
      s.contribution(hanneke, "knowledge", "Bee-friendly planting plan for the courtyard beds",
                     {"gardening", "beekeeping"}, at(33, 10));
  s.thank(lotte, bees, "", at(33, 12));
  s.thank(dewi, bees, "", at(34, 9));
  s.circle(emile, "join", repair_cafe, at(34, 10));
  auto photos = s.contribution(emile, "content",
                               "Photos of the repair café, October edition, for the website",
                               {"photography"}, at(35, 21), nullptr, &repair_cafe);
  s.thank(fatma, photos, "Mooie foto's! Mogen die ook op de flyer?", at(36, 8));
  auto robot_kit = s.request(kees,
                             "Need a second pair of eyes on the kids' robot kit soldering before "
                             "Saturday",
                             "", {"soldering", "electronics"}, at(38, 9));
  auto robot_check =
      s.contribution(chiara, "help", "Robot kit: the motor driver was in backwards, fixed on three",
                     {"soldering"}, at(39, 19), &robot_kit, &kids);
  s.thank(kees, robot_check, "", at(39, 21));
  auto jar = s.agreement(
      bram,
      "Consumables (sandpaper, glue, solder, sewing thread) come from the shared jar by the door; "
      "put in what you think you used, and tell Dewi when something runs out so it can be "
      "ordered before the next evening.",
      "Saves the weekly round of small payments.", at(40, 10));
  s.endorse(chiara, jar, at(40, 19));
  s.endorse(dewi, jar, at(41, 8));
  s.request(lotte, "Wie wil op zaterdag 12 december helpen met de kerstmarktkraam? Opbouw om 8:00",
            "", {"event"}, at(42, 16));
  // A token invite, as `zwerm invite` without --for writes.
  const std::string token(32, '\x5a');
  auto inv_zoe = s.write(ada, "member.invite",
                         {{"token_hash", crypto::to_text(crypto::blake2b256(token))},
                          {"note", "for the illustrator from the print shop"},
                          {"expires_ts", at(43, 10) + week}},
                         at(43, 10));
  s.write(zoe, "member.join",
          {{"invite", script::id(inv_zoe)}, {"token", crypto::base64url_encode(token)}},
          at(44, 18));
  s.profile(zoe, "Zoë", "Illustrator; I can make the posters for the repair café.",
            {"illustration", "risograph"}, at(44, 18, 10));
  auto frames = s.contribution(gijs, "event",
                               "Both cargo bike frames are done: build notes, jig drawings and "
                               "the cutting list",
                               {"welding", "cargo-bike"}, at(46, 17), nullptr, &cargo);
  s.circle(gijs, "close", cargo, at(46, 18));
  s.thank(jurgen, frames, "", at(46, 19));
  s.thank(bram, frames, "", at(46, 20));
  s.thank(ada, frames, "Prachtig werk, de voedselbank is er heel blij mee.", at(47, 9));
  auto poster = s.contribution(zoe, "content",
                               "Poster for the December repair café (A3 and A4, risograph-ready)",
                               {"illustration", "design"}, at(48, 15), nullptr);
  s.thank(fatma, poster, "Hangt al bij de bakker!", at(48, 17));
  s.endorse(hanneke, jar, at(49, 9));
  s.thank(kees, lathe, "", at(51, 20));
  s.profile(lotte, "Lotte", "Teacher, learning to weld; I run the kids' club on Saturdays.",
            {"teaching", "dutch", "english", "welding"}, at(52, 11));

  scripted_community out;
  out.records = std::move(s.records);
  out.founder = s.keys(ada);
  out.now_ms = at(52, 15);
  return out;
}

}  // namespace zwerm::test
