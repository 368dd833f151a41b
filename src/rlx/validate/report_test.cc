// The reports people read, checked with the tools they are read with: report.html in headless
// Chromium (no console message, every chart drawn), summary.pdf (one A4 page of text),
// metrics.prom and the alert rules through promtool (checked, and the alerts fire on a failing
// run and stay quiet on a passing one), and the Grafana dashboard's queries.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "rlx/durability/durable_file.h"
#include "rlx/testing/test_data.h"
#include "rlx/validate/real_sides.h"
#include "rlx/validate/report_html.h"

namespace rlx::validate {
namespace {

const fs::path kMonitoring = fs::path(RLX_SOURCE_DIR) / "src/rlx/validate/monitoring";

int shell(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// One judged run: its sides and report, written out as `rlx validate` writes them.
struct JudgedRun {
  LoadedSide golden, candidate;
  Report report;
  fs::path dir;
};

class Reports : public ValidateReal {
 protected:
  // A passing run (the capture against its own Lake tables) and a failing one (every other
  // delta dropped), each in its own folder.
  static JudgedRun run(const fs::path& capture, bool failing) {
    JudgedRun r;
    r.golden = golden(capture);
    fs::path cand = lake(capture, 100);
    if (failing) {
      cand = degrade(cand, "half_deltas_report", "book_delta_v2",
                     "SELECT * EXCLUDE (r) FROM (SELECT *, dense_rank() OVER (ORDER BY "
                     "sequence_number) AS r FROM @) WHERE r % 2 = 0 ORDER BY sequence_number");
    }
    r.candidate = candidate(cand, r.golden);
    r.report = judge(r.golden, r.candidate, ValidateConfig{}, Level::kStandard, nullptr);
    r.dir = *root_ / (failing ? "report_fail" : "report_pass");
    fs::create_directories(r.dir);
    write(r.dir / "report.html", report_html(r.report, r.golden, r.candidate, echarts_js()));
    write(r.dir / "summary.html", summary_html(r.report, r.golden, r.candidate));
    write(r.dir / "metrics.prom", report_prometheus(r.report, r.golden));
    return r;
  }
};

TEST_F(Reports, HtmlRendersInChromiumWithNoConsoleMessageAndEveryChartDrawn) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_TOOL(chromium, "/usr/bin/chromium");
  for (const bool failing : {false, true}) {
    const JudgedRun r = run(capture, failing);
    EXPECT_EQ(r.report.verdict, failing ? Status::kFail : Status::kPass);
    const fs::path profile = r.dir / "profile";
    const std::string cmd =
        chromium +
        " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync --user-data-dir=" +
        profile.string() +
        " --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom file://" +
        (r.dir / "report.html").string() + " > " + (r.dir / "dom.html").string() + " 2> " +
        (r.dir / "chromium.txt").string();
    ASSERT_EQ(shell(cmd), 0) << durability::read_file(r.dir / "chromium.txt");
    const std::string dom = durability::read_file(r.dir / "dom.html");
    const std::string log = durability::read_file(r.dir / "chromium.txt");
    // Any console line (an error, a warning, a CSP violation) fails (REPORTS.md §3).
    EXPECT_EQ(log.find(":CONSOLE"), std::string::npos) << log;
    const std::string html_tag = dom.substr(dom.find("<html"), dom.find('>', dom.find("<html")));
    EXPECT_NE(html_tag.find("data-render=\"ok\""), std::string::npos) << html_tag;
    EXPECT_EQ(html_tag.find("data-js-errors"), std::string::npos) << html_tag;
    // Every chart container holds a drawn SVG with shapes in it.
    const std::regex chart("<div class=\"chart[^\"]*\" id=\"([^\"]+)\"");
    size_t charts = 0;
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), chart);
         it != std::sregex_iterator(); ++it) {
      ++charts;
      const size_t at = static_cast<size_t>(it->position());
      const size_t next = dom.find("<div class=\"chart", at + 1);
      const std::string body =
          dom.substr(at, next == std::string::npos ? std::string::npos : next - at);
      EXPECT_NE(body.find("<svg"), std::string::npos) << (*it)[1];
      EXPECT_NE(body.find("<path"), std::string::npos) << (*it)[1];
    }
    EXPECT_EQ(charts, 20u);
    // The verdict and the failing metrics are on the page.
    EXPECT_NE(dom.find(failing ? ">FAIL<" : ">PASS<"), std::string::npos);
    if (failing) EXPECT_NE(dom.find("integrity.crossed_rate (gate)"), std::string::npos);
    // No network: the policy allows no source at all beyond the page's own hashed scripts and
    // style (a blocked load would have shown as a console line above).
    EXPECT_NE(dom.find("content=\"default-src 'none'; script-src 'sha256-"), std::string::npos);
  }
}

TEST_F(Reports, SummaryPdfIsOneA4PageOfReadableText) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_TOOL(chromium, "/usr/bin/chromium");
  RLX_REQUIRE_TOOL(pdftotext, "/usr/bin/pdftotext");
  const JudgedRun r = run(capture, true);
  std::string why;
  ASSERT_TRUE(print_pdf(r.dir / "summary.html", r.dir / "summary.pdf", "chromium", &why)) << why;
  ASSERT_EQ(shell("pdfinfo " + (r.dir / "summary.pdf").string() + " > " +
                  (r.dir / "pdfinfo.txt").string()),
            0);
  const std::string info = durability::read_file(r.dir / "pdfinfo.txt");
  EXPECT_TRUE(std::regex_search(info, std::regex("Pages: +1\n"))) << info;
  EXPECT_NE(info.find("(A4)"), std::string::npos) << info;
  ASSERT_EQ(shell(pdftotext + " " + (r.dir / "summary.pdf").string() + " " +
                  (r.dir / "summary.txt").string()),
            0);
  const std::string text = durability::read_file(r.dir / "summary.txt");
  for (const char* s : {"rlx validate: binance-futures BTCUSDT", "FAIL", "Scores by category",
                        "Worst failing metrics", "integrity.crossed_rate", "remedy"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s << " in\n" << text;
  }
  EXPECT_FALSE(
      print_pdf(r.dir / "summary.html", r.dir / "none.pdf", "/nonexistent/chromium", &why));
  EXPECT_NE(why.find("not found"), std::string::npos) << why;
}

// Samples of `families` in a metrics.prom text, as promtool test input series (5 minutes of
// the same value).
std::string input_series(const std::string& prom, const std::set<std::string>& families) {
  std::string out;
  std::istringstream in(prom);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    const std::string series = line.substr(0, space);
    const std::string name = series.substr(0, series.find('{'));
    if (families.count(name) == 0) continue;
    const std::string v = line.substr(space + 1);
    out += "      - series: '" + series + "'\n        values: '" + v + " " + v + " " + v + " " + v +
           " " + v + "'\n";
  }
  return out;
}

TEST_F(Reports, PromtoolChecksTheMetricsAndRulesAndTheAlertsFireOnlyOnAFailingRun) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_TOOL(promtool, "/usr/bin/promtool");
  const JudgedRun pass = run(capture, false);
  const JudgedRun fail = run(capture, true);
  for (const JudgedRun* r : {&pass, &fail}) {
    EXPECT_EQ(shell(promtool + " check metrics < " + (r->dir / "metrics.prom").string() + " > " +
                    (r->dir / "check.txt").string() + " 2>&1"),
              0)
        << durability::read_file(r->dir / "check.txt");
  }
  ASSERT_EQ(shell(promtool + " check rules " + (kMonitoring / "alerts.yml").string()), 0);

  const std::set<std::string> families = {"rlx_validate_verdict", "rlx_validate_score",
                                          "rlx_validate_gate_failures",
                                          "rlx_validate_metric_status"};
  const std::string labels = "exchange: binance-futures\n              symbol: BTCUSDT\n";
  const auto expect = [&](const std::string& alert, const std::string& extra_labels,
                          const std::string& summary, const std::string& description) {
    return "      - eval_time: 2m\n        alertname: " + alert +
           "\n        exp_alerts:\n          - exp_labels:\n              " + extra_labels +
           labels + "            exp_annotations:\n              summary: \"" + summary +
           "\"\n              description: \"" + description + "\"\n";
  };
  char score[16];
  std::snprintf(score, sizeof(score), "%.3f", fail.report.score);
  std::string t = "rule_files:\n  - " + (kMonitoring / "alerts.yml").string() +
                  "\nevaluation_interval: 1m\ntests:\n";
  // The failing run: all four alerts fire, with their annotations filled in.
  t += "  - interval: 1m\n    input_series:\n" +
       input_series(durability::read_file(fail.dir / "metrics.prom"), families) +
       "    alert_rule_test:\n" +
       expect("RlxValidateVerdictFail", "severity: critical\n              ",
              "rlx validate: binance-futures BTCUSDT FAILED",
              "The reconstruction of binance-futures BTCUSDT failed its fidelity verdict. "
              "report.json lists the failing metrics, worst first, with causes and remedies.") +
       expect("RlxValidateGateFailed", "severity: critical\n              ",
              "rlx validate: 1 hard gate(s) failed for BTCUSDT",
              "An integrity invariant or paired parity check failed (crossed books left "
              "standing, lost or duplicated trades): the data is wrong, not merely different.") +
       expect("RlxValidateScoreLow",
              "severity: warning\n              category: overall\n       "
              "       ",
              std::string("rlx validate: score ") + score + " for BTCUSDT",
              "The weighted share of passing fidelity metrics fell below 0.9.") +
       expect("RlxValidateGateMetricFailed",
              "severity: critical\n              metric: integrity.crossed_rate\n              "
              "gate: 'true'\n              ",
              "rlx validate: gate integrity.crossed_rate failed for BTCUSDT",
              "See the metric in report.json for its effect size, cause and remedy.");
  // The passing run: none does.
  t += "  - interval: 1m\n    input_series:\n" +
       input_series(durability::read_file(pass.dir / "metrics.prom"), families) +
       "    alert_rule_test:\n";
  for (const char* a : {"RlxValidateVerdictFail", "RlxValidateGateFailed", "RlxValidateScoreLow",
                        "RlxValidateGateMetricFailed"}) {
    t += std::string("      - eval_time: 2m\n        alertname: ") + a +
         "\n        exp_alerts: []\n";
  }
  const fs::path test_file = *root_ / "alerts_test.yml";
  write(test_file, t);
  const fs::path said = *root_ / "promtool_test.txt";
  EXPECT_EQ(shell(promtool + " test rules " + test_file.string() + " > " + said.string() + " 2>&1"),
            0)
      << durability::read_file(said) << "\n"
      << t;
}

// Every query of the Grafana dashboard names only series metrics.prom has.
TEST_F(Reports, GrafanaDashboardQueriesSeriesTheReportWrites) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const JudgedRun fail = run(capture, true);
  const std::string prom = durability::read_file(fail.dir / "metrics.prom");
  const std::string text = durability::read_file(kMonitoring / "grafana_dashboard.json");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  simdjson::dom::array panels;
  ASSERT_EQ(root["panels"].get_array().get(panels), simdjson::SUCCESS);
  size_t queries = 0;
  const std::regex name("rlx_validate_[a-z_]+");
  for (const auto panel : panels) {
    simdjson::dom::array targets;
    ASSERT_EQ(panel["targets"].get_array().get(targets), simdjson::SUCCESS);
    for (const auto target : targets) {
      std::string_view expr;
      ASSERT_EQ(target["expr"].get_string().get(expr), simdjson::SUCCESS);
      const std::string e(expr);
      for (auto it = std::sregex_iterator(e.begin(), e.end(), name); it != std::sregex_iterator();
           ++it) {
        ++queries;
        EXPECT_NE(prom.find("# TYPE " + it->str() + " gauge"), std::string::npos) << it->str();
      }
    }
  }
  EXPECT_GE(queries, 8u);
}

}  // namespace
}  // namespace rlx::validate
