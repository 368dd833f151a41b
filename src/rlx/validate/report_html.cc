#include "rlx/validate/report_html.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "rlx/core/json_writer.h"
#include "rlx/core/parallel_for.h"
#include "rlx/validate/series.h"

// echarts_js.cc: the file's bytes, built in.
extern "C" {
extern const char rlx_echarts_js_start[];
extern const char rlx_echarts_js_end[];
}

namespace rlx::validate {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t k100Ms = 100'000'000;

std::string sha256_base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fmt_number(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g", v);
  return text;
}

// Equal-width bins over the pooled 0.5..99.5 % range; outliers fall in the end bins. Each side
// as shares of its own count. A JSON object, or empty when a side has no value.
std::string histogram(const char* name, const char* unit, std::vector<double> g,
                      std::vector<double> c) {
  if (g.empty() || c.empty()) return {};
  std::sort(g.begin(), g.end());
  std::sort(c.begin(), c.end());
  std::vector<double> pooled(g.size() + c.size());
  std::merge(g.begin(), g.end(), c.begin(), c.end(), pooled.begin());
  const auto at = [&](double q) {
    return pooled[std::min(pooled.size() - 1, static_cast<size_t>(q * pooled.size()))];
  };
  double lo = at(0.005);
  double hi = at(0.995);
  if (hi <= lo) hi = lo + 1;
  constexpr int kBins = 30;
  const double width = (hi - lo) / kBins;
  const auto shares = [&](const std::vector<double>& v) {
    std::vector<double> h(kBins, 0);
    for (const double x : v) {
      // Clamped as a double: an outlier far past the range must not overflow the int.
      const int b = static_cast<int>(std::clamp(std::floor((x - lo) / width), 0.0, kBins - 1.0));
      h[b] += 1;
    }
    for (double& x : h) x /= static_cast<double>(v.size());
    return h;
  };
  JsonWriter w;
  w.begin_object().key("name").string(name).key("unit").string(unit).key("edges").begin_array();
  for (int i = 0; i <= kBins; ++i) w.number(lo + i * width);
  w.end_array().key("golden").begin_array();
  for (const double x : shares(g)) w.number(x);
  w.end_array().key("candidate").begin_array();
  for (const double x : shares(c)) w.number(x);
  w.end_array();
  // Q-Q: percentiles 1..99 of each side.
  w.key("qq").begin_array();
  for (int p = 1; p < 100; ++p) {
    const auto q = [p](const std::vector<double>& v) {
      return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()))];
    };
    w.begin_array().number(q(g)).number(q(c)).end_array();
  }
  w.end_array().end_object();
  return w.take();
}

// Mean lots by distance from the mid (ticks, 0..19) per time bucket, from the 1 s grid.
void depth_heatmap(JsonWriter& w, const features::Features& f) {
  const features::Grid* g = f.grid(kSecond);
  w.begin_object();
  if (g == nullptr || g->rows() == 0) {
    w.key("cells").begin_array().end_array().key("buckets").int64(0).end_object();
    return;
  }
  constexpr int kDistances = 20;
  const size_t buckets = std::min<size_t>(120, g->rows());
  const size_t per = (g->rows() + buckets - 1) / buckets;
  w.key("bucket_seconds").uint64(per).key("buckets").uint64((g->rows() + per - 1) / per);
  w.key("start_ns").int64(g->time_ns.front()).key("cells").begin_array();
  for (size_t b = 0; b * per < g->rows(); ++b) {
    std::vector<double> sum(kDistances, 0);
    size_t rows = 0;
    for (size_t r = b * per; r < std::min(g->rows(), (b + 1) * per); ++r) {
      if (!g->two_sided(r)) continue;
      ++rows;
      const double mid = static_cast<double>(g->best_bid(r) + g->best_ask(r)) / 2;
      for (uint32_t l = 0; l < g->levels; ++l) {
        const size_t i = r * g->levels + l;
        // Distances are compared as doubles before the cast: a level far out stays in range.
        const auto add = [&](double distance, int64_t lots) {
          if (distance >= 0 && distance < kDistances) {
            sum[static_cast<size_t>(distance)] += static_cast<double>(lots);
          }
        };
        if (g->bid_ticks[i] != features::kNoPrice) {
          add(mid - static_cast<double>(g->bid_ticks[i]), g->bid_lots[i]);
        }
        if (g->ask_ticks[i] != features::kNoPrice) {
          add(static_cast<double>(g->ask_ticks[i]) - mid, g->ask_lots[i]);
        }
      }
    }
    for (int d = 0; d < kDistances; ++d) {
      w.begin_array()
          .uint64(b)
          .int64(d)
          .number(rows == 0 ? 0 : sum[d] / static_cast<double>(rows))
          .end_array();
    }
  }
  w.end_array().end_object();
}

// Diff messages per second, as (minute, second of the minute, count): the last 240 minutes.
void clustering(JsonWriter& w, const features::Features& f) {
  w.begin_array();
  if (!f.book_message_ns.empty()) {
    const int64_t first = f.book_message_ns.front() / kSecond;
    const int64_t last = f.last_ns / kSecond;
    const int64_t start = std::max(first - first % 60, last - last % 60 - 239 * 60);
    std::vector<uint32_t> counts(static_cast<size_t>(last - start + 1), 0);
    for (const int64_t ns : f.book_message_ns) {
      const int64_t s = ns / kSecond;
      if (s >= start && s <= last) ++counts[static_cast<size_t>(s - start)];
    }
    for (size_t i = 0; i < counts.size(); ++i) {
      w.begin_array().uint64(i / 60).uint64(i % 60).uint64(counts[i]).end_array();
    }
  }
  w.end_array();
}

// Share of 1 s grid time in each (spread, L1 imbalance) cell: the RL state space's two first
// coordinates (spread 1..5+ ticks, imbalance in 10 bins over [-1, 1]).
void coverage(JsonWriter& w, const features::Features& f) {
  std::vector<double> cells(5 * 10, 0);
  double n = 0;
  if (const features::Grid* g = f.grid(kSecond)) {
    for (size_t r = 0; r < g->rows(); ++r) {
      if (!g->two_sided(r)) continue;
      const int64_t spread = g->best_ask(r) - g->best_bid(r);
      const double b = static_cast<double>(g->bid_lots[r * g->levels]);
      const double a = static_cast<double>(g->ask_lots[r * g->levels]);
      if (a + b <= 0) continue;
      const int x = static_cast<int>(std::clamp<int64_t>(spread, 1, 5) - 1);
      const int y = std::clamp(static_cast<int>(std::floor(((b - a) / (a + b) + 1) * 5)), 0, 9);
      cells[x * 10 + y] += 1;
      n += 1;
    }
  }
  w.begin_array();
  for (int x = 0; x < 5; ++x) {
    for (int y = 0; y < 10; ++y) {
      w.begin_array().int64(x).int64(y).number(n > 0 ? cells[x * 10 + y] / n : 0).end_array();
    }
  }
  w.end_array();
}

// Paired: per second, the share of aligned 100 ms grid times whose top 5 levels differ; and
// each side's seams per second.
void drift(JsonWriter& w, const features::Features& g, const features::Features& c, bool paired) {
  w.begin_object();
  const features::Grid* a = g.grid(k100Ms);
  const features::Grid* b = c.grid(k100Ms);
  w.key("points").begin_array();
  if (paired && a != nullptr && b != nullptr) {
    size_t i = 0, j = 0;
    int64_t second = INT64_MIN;
    uint32_t rows = 0, differ = 0;
    const auto flush = [&] {
      if (rows > 0) {
        w.begin_array()
            .number(static_cast<double>(second))
            .number(static_cast<double>(differ) / rows)
            .end_array();
      }
      rows = differ = 0;
    };
    const uint32_t k = std::min(a->levels, b->levels);
    while (i < a->rows() && j < b->rows()) {
      if (a->time_ns[i] < b->time_ns[j]) {
        ++i;
      } else if (b->time_ns[j] < a->time_ns[i]) {
        ++j;
      } else {
        const int64_t s = a->time_ns[i] / kSecond;
        if (s != second) {
          flush();
          second = s;
        }
        ++rows;
        for (uint32_t l = 0; l < k; ++l) {
          if (a->bid_ticks[i * a->levels + l] != b->bid_ticks[j * b->levels + l] ||
              a->bid_lots[i * a->levels + l] != b->bid_lots[j * b->levels + l] ||
              a->ask_ticks[i * a->levels + l] != b->ask_ticks[j * b->levels + l] ||
              a->ask_lots[i * a->levels + l] != b->ask_lots[j * b->levels + l]) {
            ++differ;
            break;
          }
        }
        ++i;
        ++j;
      }
    }
    flush();
  }
  w.end_array();
  for (const auto& [key, side] :
       {std::pair{"golden_seams", &g}, std::pair{"candidate_seams", &c}}) {
    w.key(key).begin_array();
    for (const features::Seam& s : side->seams) w.number(static_cast<double>(s.time_ns) / 1e9);
    w.end_array();
  }
  w.end_object();
}

std::string chart_data(const Report& r, const LoadedSide& golden, const LoadedSide& candidate) {
  const features::Features& g = golden.features;
  const features::Features& c = candidate.features;
  JsonWriter w;
  w.begin_object().key("categories").begin_array();
  for (const CategoryScore& s : r.categories) {
    w.begin_array().string(category_name(s.category)).number(std::isnan(s.score) ? 0 : s.score);
    w.end_array();
  }
  w.end_array().key("series").begin_array();
  // A day holds tens of millions of values a series: the histograms are made on all cores.
  const std::function<std::string()> charts[] = {
      [&] { return histogram("trade size", "lots", series::trade_size(g), series::trade_size(c)); },
      [&] {
        return histogram("time between trades", "ms", series::trade_interval_ms(g),
                         series::trade_interval_ms(c));
      },
      [&] {
        return histogram("time between diffs", "ms", series::book_interval_ms(g),
                         series::book_interval_ms(c));
      },
      [&] {
        return histogram("spread", "ticks", series::spread_ticks(g), series::spread_ticks(c));
      },
      [&] { return histogram("L1 size", "lots", series::l1_size(g), series::l1_size(c)); },
      [&] {
        return histogram("1 s return", "ticks", series::mid_return(g, 1), series::mid_return(c, 1));
      },
  };
  std::vector<std::string> made(std::size(charts));
  parallel_for(made.size(), core_count(), [&](size_t i) { made[i] = charts[i](); });
  for (const std::string& h : made) {
    if (!h.empty()) w.raw(h);
  }
  w.end_array().key("depth").begin_object().key("golden");
  depth_heatmap(w, g);
  w.key("candidate");
  depth_heatmap(w, c);
  w.end_object().key("clustering").begin_object().key("golden");
  clustering(w, g);
  w.key("candidate");
  clustering(w, c);
  w.end_object().key("coverage").begin_object().key("golden");
  coverage(w, g);
  w.key("candidate");
  coverage(w, c);
  w.end_object().key("drift");
  drift(w, g, c, r.paired);
  w.end_object();
  // Inside <script>, "</" must not appear; "<" can only be in a JSON string, where \u003c is it.
  std::string text = w.take();
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    if (ch == '<') {
      out += "\\u003c";
    } else {
      out += ch;
    }
  }
  return out;
}

// The error trap and render sentinel (../shared/REPORTS.md §3), first on the page.
constexpr std::string_view kTrap =
    "window.__errs=[];function __rec(m){__errs.push(String(m));"
    "document.documentElement.setAttribute('data-js-errors',String(__errs.length));"
    "var p=document.getElementById('js-errors');if(p)p.textContent=__errs.join('\\n');}"
    "addEventListener('error',function(e){__rec('error: '+(e.message||e)+' @'+(e.filename||'')"
    "+':'+(e.lineno||''));});addEventListener('unhandledrejection',function(e){"
    "__rec('unhandledrejection: '+(e.reason&&e.reason.stack||e.reason));});"
    "function __done(){document.documentElement.setAttribute('data-render',"
    "__errs.length?'error':'ok');}";

// Draws every chart from the JSON data block, then sets the sentinel.
constexpr std::string_view kApp = R"JS((function(){
var D=JSON.parse(document.getElementById('rlx-data').textContent);
var G='#2f6db5',C='#d9822b';
function chart(id,opt){var el=document.getElementById(id);
 var c=echarts.init(el,null,{renderer:'svg'});opt.animation=false;c.setOption(opt);}
chart('c-scores',{grid:{left:110,right:20,top:10,bottom:30},xAxis:{type:'value',min:0,max:1},
 yAxis:{type:'category',data:D.categories.map(function(x){return x[0];})},
 series:[{type:'bar',data:D.categories.map(function(x){return x[1];}),itemStyle:{color:G}}]});
D.series.forEach(function(s,i){
 var mids=[];for(var k=0;k+1<s.edges.length;k++)mids.push(+((s.edges[k]+s.edges[k+1])/2).toPrecision(4));
 chart('c-hist-'+i,{title:{text:s.name+' ('+s.unit+')',textStyle:{fontSize:12}},legend:{top:0,right:0},
  grid:{left:50,right:10,top:30,bottom:30},xAxis:{type:'category',data:mids},yAxis:{type:'value'},
  series:[{name:'golden',type:'bar',data:s.golden,itemStyle:{color:G}},
          {name:'candidate',type:'bar',data:s.candidate,itemStyle:{color:C}}]});
 var lo=Math.min(s.qq[0][0],s.qq[0][1]),hi=Math.max(s.qq[98][0],s.qq[98][1]);
 chart('c-qq-'+i,{title:{text:'Q-Q '+s.name,textStyle:{fontSize:12}},grid:{left:50,right:10,top:30,bottom:30},
  xAxis:{type:'value',name:'golden',scale:true},yAxis:{type:'value',name:'candidate',scale:true},
  series:[{type:'scatter',symbolSize:4,data:s.qq,itemStyle:{color:C}},
          {type:'line',data:[[lo,lo],[hi,hi]],symbol:'none',lineStyle:{color:'#888',type:'dashed'}}]});
});
function heat(id,title,cells,xname,yname,ylen){
 var max=0;cells.forEach(function(c){if(c[2]>max)max=c[2];});
 var xs={};cells.forEach(function(c){xs[c[0]]=1;});var xd=Object.keys(xs).map(Number);
 var yd=[];for(var k=0;k<ylen;k++)yd.push(k);
 chart(id,{title:{text:title,textStyle:{fontSize:12}},grid:{left:50,right:70,top:30,bottom:40},
  xAxis:{type:'category',data:xd,name:xname},yAxis:{type:'category',data:yd,name:yname},
  visualMap:{min:0,max:max||1,calculable:false,orient:'vertical',right:0,top:'middle',itemHeight:120},
  series:[{type:'heatmap',data:cells}]});}
['golden','candidate'].forEach(function(side){
 var d=D.depth[side];
 heat('c-depth-'+side,'depth by distance from mid, '+side+' (mean lots)',d.cells,'time bucket','ticks',20);
 heat('c-cluster-'+side,'diff messages per second, '+side,D.clustering[side],'minute','second',60);
 heat('c-cover-'+side,'state coverage, '+side+' (share of time)',D.coverage[side],'spread (ticks-1)','imbalance bin',10);
});
var seams=D.drift.golden_seams.map(function(t){return {xAxis:t};}).concat(
 D.drift.candidate_seams.slice(0,200).map(function(t){return {xAxis:t,lineStyle:{color:C}};}));
chart('c-drift',{title:{text:'top-5 mismatch share per second (paired), seams as lines',textStyle:{fontSize:12}},
 grid:{left:50,right:20,top:30,bottom:30},xAxis:{type:'value',name:'s',scale:true},yAxis:{type:'value',min:0,max:1},
 series:[{type:'line',symbol:'none',data:D.drift.points,itemStyle:{color:G},
  markLine:{symbol:'none',silent:true,data:seams,lineStyle:{color:'#c33'}}}]});
__done();
})();)JS";

constexpr std::string_view kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px}"
    ".verdict{display:inline-block;padding:4px 12px;border-radius:4px;color:#fff;font-weight:bold}"
    ".PASS{background:#2e8540}.WARN{background:#c77c02}.FAIL{background:#b52f2f}.SKIP{background:#"
    "777}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}"
    ".chart{width:560px;height:300px;display:inline-block;margin:4px}"
    ".wide{width:1140px}.small{color:#666;font-size:12px}#js-errors{color:#b52f2f}";

void metric_rows(std::string* h, const Report& r) {
  *h +=
      "<table><tr><th>metric</th><th>tier</th><th>category</th><th>status</th><th>S</th>"
      "<th>threshold</th><th>n</th><th>p (BH)</th><th>detail</th></tr>";
  for (const MetricResult& m : r.metrics) {
    *h += "<tr><td>" + html_escape(m.metric->id) + (m.metric->gate ? " (gate)" : "") + "</td><td>" +
          std::to_string(static_cast<int>(m.metric->tier)) + "</td><td>" +
          category_name(m.metric->category) + "</td><td class=\"" + status_name(m.status) + "\">" +
          status_name(m.status) + "</td><td>" + fmt_number(m.measurement.effect) + "</td><td>" +
          fmt_number(m.threshold) + "</td><td>" + std::to_string(m.measurement.n) + "</td><td>" +
          fmt_number(m.measurement.p_value) + " (" + fmt_number(m.p_adjusted) + ")</td><td>" +
          html_escape(m.status == Status::kSkip ? m.why_skipped : m.measurement.detail) +
          "</td></tr>";
  }
  *h += "</table>";
}

void failure_rows(std::string* h, const Report& r, size_t limit) {
  if (r.ranked_failures.empty()) {
    *h += "<p>No metric beyond its floor or tolerance.</p>";
    return;
  }
  *h +=
      "<table><tr><th>#</th><th>metric</th><th>status</th><th>S / threshold</th>"
      "<th>likely cause</th><th>remedy</th></tr>";
  for (size_t k = 0; k < std::min(limit, r.ranked_failures.size()); ++k) {
    const MetricResult& m = r.metrics[r.ranked_failures[k]];
    *h += "<tr><td>" + std::to_string(k + 1) + "</td><td>" + html_escape(m.metric->id) +
          (m.metric->gate ? " (gate)" : "") + "</td><td class=\"" + status_name(m.status) + "\">" +
          status_name(m.status) + "</td><td>" + fmt_number(m.measurement.effect) + " / " +
          fmt_number(m.threshold) + "</td><td>" + html_escape(m.metric->cause) + "</td><td>" +
          html_escape(m.metric->remedy) + "</td></tr>";
  }
  *h += "</table>";
}

std::string side_line(const char* name, const LoadedSide& s) {
  char span[64];
  std::snprintf(span, sizeof(span), "%.0f s",
                static_cast<double>(s.features.last_ns - s.features.first_ns) / 1e9);
  std::string inputs;
  for (const InputHash& h : s.inputs) inputs += (inputs.empty() ? "" : ", ") + h.path;
  return std::string("<tr><th>") + name + "</th><td>" + input_kind_name(s.kind) + "</td><td>" +
         html_escape(s.exchange + " " + s.symbol) + "</td><td>" + span + "</td><td>" +
         std::to_string(s.features.events) + "</td><td>" + std::to_string(s.features.seams.size()) +
         "</td><td>" + html_escape(inputs) + "</td></tr>";
}

std::string header(const Report& r, const LoadedSide& g, const LoadedSide& c) {
  std::string h = "<h1>rlx validate: " + html_escape(g.exchange + " " + g.symbol) +
                  " <span class=\"verdict " + status_name(r.verdict) + "\">" +
                  status_name(r.verdict) + "</span></h1><p>Score <b>" + fmt_number(r.score) +
                  "</b>, " + (r.paired ? "paired" : "unpaired") + ", level " + level_name(r.level) +
                  ", " + std::to_string(r.windows_compared) + " windows of " +
                  std::to_string(r.window_ns / kSecond) +
                  " s compared. Calibration: " + html_escape(r.calibration_source) + " (" +
                  r.calibration_hash + "), configuration " + r.config_hash + ".</p><ul>";
  for (const std::string& s : r.reasons) h += "<li>" + html_escape(s) + "</li>";
  for (const std::string& s : r.notes) h += "<li class=\"small\">" + html_escape(s) + "</li>";
  h += "</ul><table><tr><th></th><th>kind</th><th>symbol</th><th>span</th><th>events</th>"
       "<th>seams</th><th>inputs</th></tr>" +
       side_line("golden", g) + side_line("candidate", c) + "</table>";
  return h;
}

}  // namespace

std::string_view echarts_js() {
  return std::string_view(rlx_echarts_js_start,
                          static_cast<size_t>(rlx_echarts_js_end - rlx_echarts_js_start));
}

std::string report_html(const Report& r, const LoadedSide& g, const LoadedSide& c,
                        std::string_view chart_js) {
  const std::string data = chart_data(r, g, c);
  const std::string csp = "default-src 'none'; script-src 'sha256-" + sha256_base64(kTrap) +
                          "' 'sha256-" + sha256_base64(chart_js) + "' 'sha256-" +
                          sha256_base64(kApp) + "'; style-src 'sha256-" + sha256_base64(kStyle) +
                          "'; img-src data:; base-uri 'none'; form-action 'none'";
  std::string h =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
      csp + "\"><title>rlx validate: " + html_escape(g.symbol) + " " + status_name(r.verdict) +
      "</title><style>" + std::string(kStyle) + "</style><script>" + std::string(kTrap) +
      "</script></head><body>";
  h += header(r, g, c);
  h += "<pre id=\"js-errors\"></pre><h2>Scores by category</h2>"
       "<div class=\"chart\" id=\"c-scores\"></div>";
  h += "<h2>Failing metrics, worst first</h2>";
  failure_rows(&h, r, SIZE_MAX);
  h += "<h2>Distributions: histograms side by side and Q-Q plots</h2>";
  for (int i = 0; i < 6; ++i) {
    h += "<div class=\"chart\" id=\"c-hist-" + std::to_string(i) +
         "\"></div><div class=\"chart\" id=\"c-qq-" + std::to_string(i) + "\"></div>";
  }
  h += "<h2>Depth heatmap</h2><div class=\"chart\" id=\"c-depth-golden\"></div>"
       "<div class=\"chart\" id=\"c-depth-candidate\"></div>"
       "<h2>Event clustering</h2><div class=\"chart\" id=\"c-cluster-golden\"></div>"
       "<div class=\"chart\" id=\"c-cluster-candidate\"></div>"
       "<h2>State-space coverage</h2><div class=\"chart\" id=\"c-cover-golden\"></div>"
       "<div class=\"chart\" id=\"c-cover-candidate\"></div>"
       "<h2>Drift and seams over time</h2><div class=\"chart wide\" id=\"c-drift\"></div>"
       "<h2>Every metric</h2>";
  metric_rows(&h, r);
  h += "<script type=\"application/json\" id=\"rlx-data\">" + data + "</script><script>" +
       std::string(chart_js) + "</script><script>" + std::string(kApp) +
       "</script></body></html>\n";
  return h;
}

std::string summary_html(const Report& r, const LoadedSide& g, const LoadedSide& c) {
  static constexpr std::string_view kPrint =
      "@page{size:A4 portrait;margin:12mm}body{font:11px/1.35 sans-serif;color:#222;width:700px}"
      "h1{font-size:18px;margin:0 0 6px}h2{font-size:13px;margin:12px 0 4px}"
      ".verdict{padding:2px 8px;border-radius:3px;color:#fff;font-weight:bold}"
      ".PASS{background:#2e8540}.WARN{background:#c77c02}.FAIL{background:#b52f2f}"
      ".SKIP{background:#777}table{border-collapse:collapse;width:700px}"
      "td,th{border:1px solid #ccc;padding:2px 4px;text-align:left;vertical-align:top}"
      "th{background:#f0f0f0}.small{color:#666}"
      "td.PASS,td.WARN,td.FAIL{color:#fff}";
  const std::string csp = "default-src 'none'; style-src 'sha256-" + sha256_base64(kPrint) +
                          "'; base-uri 'none'; form-action 'none'";
  std::string h =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
      csp + "\"><title>rlx validate summary</title><style>" + std::string(kPrint) +
      "</style></head><body>";
  h += header(r, g, c);
  h += "<h2>Scores by category</h2><table>";
  for (const CategoryScore& s : r.categories) {
    h += std::string("<tr><th>") + category_name(s.category) + "</th><td>" + fmt_number(s.score) +
         "</td><td>" + std::to_string(s.pass) + " pass, " + std::to_string(s.warn) + " warn, " +
         std::to_string(s.fail) + " fail, " + std::to_string(s.skip) + " not measured</td></tr>";
  }
  h += "</table><h2>Worst failing metrics</h2>";
  failure_rows(&h, r, 8);
  h += "<p class=\"small\">The whole report (every metric, charts): report.html; machine-readable: "
       "report.json.</p></body></html>\n";
  return h;
}

bool print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
               const std::string& browser, std::string* why) {
  char profile_template[] = "/tmp/rlx-chromium-XXXXXX";
  if (::mkdtemp(profile_template) == nullptr) {
    *why = "cannot create a browser profile folder";
    return false;
  }
  const std::string profile = profile_template;
  const std::string args[] = {browser,
                              "--headless",
                              "--no-sandbox",
                              "--disable-gpu",
                              "--no-first-run",
                              "--disable-background-networking",
                              "--disable-component-update",
                              "--disable-sync",
                              "--user-data-dir=" + profile,
                              "--no-pdf-header-footer",
                              "--print-to-pdf=" + std::filesystem::absolute(pdf).string(),
                              "file://" + std::filesystem::absolute(html).string()};
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, browser.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  bool ok = false;
  if (rc != 0) {
    *why = browser + " not found (install Debian's chromium, or name another browser)";
  } else {
    // Two minutes at most: a hung browser must not hang the pipeline it gates.
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && std::filesystem::exists(pdf);
    if (!ok) *why = browser + " did not print " + pdf.string();
  }
  std::error_code ec;
  std::filesystem::remove_all(profile, ec);
  return ok;
}

}  // namespace rlx::validate
