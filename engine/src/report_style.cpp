// The report's stylesheet: fixed A4 landscape pages laid out as a column (marking, heading,
// content, footer), so the footer never prints over content; report_pages.cpp sizes what goes
// on each page to the content box defined here (keep the two in step: see PageMetrics).

#include "report_pages.hpp"

namespace hotspot::report {

const char* report_css() {
    return R"CSS(
*{box-sizing:border-box}
html{background:#e9e9e6}
body{margin:0;padding:12px 0;font-family:Arial,Helvetica,"Liberation Sans",sans-serif;color:#1a1a1a;font-size:11px;line-height:1.3}
.page{width:297mm;height:210mm;margin:0 auto 12px;padding:7mm 10mm 5mm;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.25);overflow:hidden;display:flex;flex-direction:column}
.marking{text-align:center;font-weight:bold;font-size:11px;letter-spacing:.06em;line-height:14px;height:14px;flex:none}
.page-head{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #08306b;padding-bottom:3px;margin-bottom:6px;flex:none;gap:8mm}
.page-head h2{margin:0;font-size:18px;line-height:22px;color:#08306b}
.page-head .meta{font-size:10.5px;color:#444;text-align:right}
.content{flex:1 1 auto;min-height:0;position:relative}
.foot{flex:none;height:14px;margin-top:3px;font-size:9px;line-height:14px;color:#555;display:flex;justify-content:space-between;border-top:1px solid #ccc;gap:6mm}
.foot .mk{font-weight:bold;color:#1a1a1a}
.proxy{background:#fff4d6;border-left:4px solid #e6a700;padding:3px 6px;margin:0 0 6px;font-size:10.5px}
.cols{display:grid;grid-template-columns:128mm minmax(0,1fr);gap:6mm}
.map-col svg{width:100%;height:auto;display:block}
h3{font-size:12px;line-height:15px;margin:6px 0 3px;color:#08306b}
table{border-collapse:collapse;width:100%;font-size:10.5px;line-height:13px}
th,td{padding:2px 3px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:bold;border-bottom:1px solid #9aa8bf;white-space:nowrap}
th.w{white-space:normal}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.ref td{font-style:italic;color:#444;border-top:1px solid #9aa8bf}
.cls{display:inline-block;padding:0 4px;border-radius:2px;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.c-sig-above{background:#b2182b;color:#fff;font-weight:bold}.c-above{background:#f4a582;color:#1a1a1a}
.c-similar{background:#f0f0f0;color:#1a1a1a}.c-below{background:#92c5de;color:#1a1a1a;font-style:italic}
.c-sig-below{background:#2166ac;color:#fff;font-style:italic}.c-none{background:#fff;color:#666}
.note{color:#444;font-size:9.5px;line-height:12.5px;margin:2px 0}
.methods{border:1px solid #b8c2d3;background:#f7f9fc;padding:4px 6px;margin-top:6px;font-size:9.5px;line-height:12.5px}
.methods h3{margin-top:0}
.methods dl{margin:0;display:grid;grid-template-columns:22mm 1fr;gap:1px 6px}
.methods dt{font-weight:bold;color:#333}.methods dd{margin:0}
.cover h1{font-size:26px;line-height:31px;color:#08306b;margin:3mm 0 1mm}
.cover .sub{font-size:15px;color:#333;margin-bottom:4mm}
.facts{display:grid;grid-template-columns:36mm 1fr;gap:2px 8px;font-size:12px;margin:0 0 4mm}
.facts dt{font-weight:bold}.facts dd{margin:0}
.findings{column-count:2;column-gap:8mm}
.finding{break-inside:avoid;margin:0 0 3mm}
.finding h4{margin:0 0 1mm;font-size:12.5px;color:#08306b}
.finding ul{margin:0 0 0 16px;padding:0;font-size:11.5px;line-height:15px}
.about table{font-size:10.5px}
.about td b{white-space:nowrap}
.about ul{margin:2px 0 3mm 18px;padding:0;font-size:10.5px}
.attrib{font-size:10px;color:#333;border-top:1px solid #ccc;padding-top:3px;margin-top:3mm}
.annex table{font-size:10.5px;width:auto;min-width:55%}
@page{size:A4 landscape;margin:0}
@media print{
 html,body{background:#fff;padding:0;margin:0}
 .page{margin:0;box-shadow:none;break-after:page;page-break-after:always}
 .page:last-of-type{break-after:auto;page-break-after:auto}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)CSS";
}

} // namespace hotspot::report
