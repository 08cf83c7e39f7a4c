/**
 * report.html's stylesheet: a system font stack (nothing to fetch), status colours, a layout that
 * works from a 390 px phone (only tables scroll sideways) to a desktop, and a print sheet that
 * prints the summary and the worklist without the controls.
 */
export const REPORT_CSS = `
:root{--ink:#101828;--muted:#475467;--faint:#667085;--line:#d0d5dd;--soft:#eaecf0;--bg:#f5f6f8;--card:#fff;
--error:#c01048;--error-bg:#fff1f3;--warning:#b54708;--warning-bg:#fffaeb;--info:#175cd3;--info-bg:#eff8ff;
--money:#b42318;--ok:#067647;--ok-bg:#ecfdf3;--accent:#1849a9;--mark:#fef0c7}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:anywhere}
.wrap{max-width:1240px;margin:0 auto;padding:0 20px}
.top{background:#101828;color:#fff;padding:18px 0 16px}
.brand{margin:0;font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#98a2b3}
.top h1{margin:2px 0 4px;font-size:24px;line-height:1.25;font-weight:650}
.meta{margin:0;color:#d0d5dd;font-size:13px}
main.wrap{padding-top:20px;padding-bottom:24px}
h2{font-size:19px;line-height:1.3;margin:0 0 6px;font-weight:650}
h3{font-size:15px;margin:0 0 10px;font-weight:600}
p{margin:0 0 6px}
.muted,.lead{color:var(--muted)}
.lead{margin-bottom:12px}
section{margin-bottom:22px}
.status{border:1px solid var(--line);border-left:6px solid var(--faint);background:var(--card);border-radius:10px;padding:16px 20px}
.status h2{font-size:22px;margin-bottom:6px}
.status p{color:#344054}
.badge{display:inline-block;font-size:12px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;border-radius:999px;padding:2px 10px;margin-bottom:6px;background:var(--soft);color:var(--ink)}
.status.rejected{border-color:#fda29b;border-left-color:var(--error);background:var(--error-bg)}
.status.rejected .badge{background:var(--error);color:#fff}
.status.incomplete{border-color:#fedf89;border-left-color:var(--warning);background:var(--warning-bg)}
.status.incomplete .badge{background:var(--warning);color:#fff}
.status.findings{border-left-color:var(--money)}
.status.findings .badge{background:var(--ok-bg);color:var(--ok)}
.status.warnings{border-left-color:var(--warning)}
.status.warnings .badge,.status.clean .badge{background:var(--ok-bg);color:var(--ok)}
.status.clean{border-color:#abefc6;border-left-color:var(--ok);background:var(--ok-bg)}
.figures{display:grid;grid-template-columns:2fr 1.6fr repeat(4,1fr);gap:12px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.tile-label{margin:0;font-size:13px;color:var(--muted);font-weight:600}
.tile-value{margin:2px 0 0;font-size:26px;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
.tile-detail{margin:2px 0 0;font-size:12.5px;color:var(--faint)}
.figures .tile:first-child .tile-value{font-size:34px}
.tile.money .tile-value{color:var(--money)}
.tile.error .tile-value{color:var(--error)}
.tile.warning .tile-value{color:var(--warning)}
.chart-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:12px}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}
.chart svg{display:block;overflow:visible}
.chart figcaption{font-size:12.5px;margin-top:4px}
.chart text{font-size:13px;fill:var(--ink)}
.chart text.value{font-variant-numeric:tabular-nums;font-weight:600}
.chart .track{fill:var(--soft)}
.bar.error .fill{fill:var(--error)}.bar.warning .fill{fill:#f79009}.bar.info .fill{fill:#2e90fa}.bar.money .fill{fill:var(--money)}
#worklist,#rejected{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px}
.held-note{background:var(--warning-bg);border:1px solid #fedf89;border-radius:8px;padding:8px 12px;color:#7a2e0e}
.controls{display:grid;grid-template-columns:minmax(220px,2fr) repeat(4,minmax(130px,1fr)) auto;gap:10px;align-items:end;margin:8px 0 6px}
.field{display:flex;flex-direction:column;gap:3px;font-size:13px;font-weight:600;color:#344054;min-width:0}
.field.inline{flex-direction:row;align-items:center;gap:6px}
input,select,button{font:inherit;font-size:14px;color:var(--ink)}
input[type=search],select{width:100%;min-width:0;border:1px solid var(--line);border-radius:8px;padding:7px 10px;background:#fff;height:38px}
.field.inline select{width:auto}
input[type=search]:focus,select:focus,button:focus-visible,a:focus-visible,tr:focus{outline:3px solid #84adff;outline-offset:1px}
button{cursor:pointer;border:1px solid var(--line);background:#fff;border-radius:8px;padding:7px 12px;height:38px}
button:disabled{cursor:default;color:#98a2b3;background:#f9fafb}
button.secondary{color:var(--accent)}
.view-status{font-size:14px;color:var(--muted);margin:6px 0 8px}
.view-status b{color:var(--ink)}
.table-scroll{overflow-x:auto;border:1px solid var(--soft);border-radius:8px;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--soft);vertical-align:top}
thead th{background:#f9fafb;font-size:12.5px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);white-space:nowrap;position:sticky;top:0}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}
table.claims{min-width:720px}
table.claims td{overflow-wrap:normal}
td.claim-id,td.date,td.provider,td.n{white-space:nowrap}
td.payer{min-width:9em}
tr.detail>td{overflow-wrap:anywhere}
table.rejected{min-width:560px}
button.sort{border:0;background:none;padding:0;height:auto;font:inherit;color:inherit;text-transform:inherit;letter-spacing:inherit}
th[aria-sort=ascending] .arrow::after{content:" ▲"}
th[aria-sort=descending] .arrow::after{content:" ▼"}
th[aria-sort=ascending],th[aria-sort=descending]{color:var(--ink)}
tr.claim:hover{background:#f9fafb}
tr.claim.open{background:#f2f4f7}
td.dollars{font-weight:650}
td.dollars.some{color:var(--money)}
.count.error{color:var(--error);font-weight:650}.count.warning{color:var(--warning);font-weight:650}.count.zero{color:#98a2b3}
button.open-claim{border:0;background:none;padding:0;height:auto;color:var(--accent);font-weight:600;text-align:left;text-decoration:underline;text-underline-offset:2px}
.twisty{color:var(--faint);display:inline-block;width:1.1em;text-decoration:none}
tr.detail>td{background:#fcfcfd;padding:10px 14px 14px 28px}
.claim-head{font-size:13px;color:var(--muted);margin-bottom:8px}
.claim-head b{color:var(--ink)}
.line{border:1px solid var(--soft);border-radius:8px;background:#fff;margin:0 0 8px;padding:8px 12px;scroll-margin:80px}
.line.target{background:var(--mark);border-color:#fec84b;transition:background 1.5s}
.line-head{font-size:13px;color:var(--muted);margin-bottom:4px}
.line-head b{color:var(--ink)}
.finding{border-top:1px dashed var(--soft);padding:6px 0}
.finding:first-of-type{border-top:0}
.finding-title{font-weight:650}
.sev{display:inline-block;font-size:11.5px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;border-radius:4px;padding:0 6px;margin-right:6px;vertical-align:1px}
.sev.error{background:var(--error-bg);color:var(--error)}.sev.warning{background:var(--warning-bg);color:var(--warning)}.sev.info{background:var(--info-bg);color:var(--info)}
.rule-id{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--faint);margin-left:6px}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0 0;font-size:14px}
.finding dt{color:var(--muted);font-weight:600}
.finding dd{margin:0}
a{color:var(--accent)}
.pager{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-top:10px}
.page-of{font-size:14px;color:var(--muted);padding:0 4px}
.pager .field{margin-left:auto}
pre.raw{margin:0;white-space:pre-wrap;word-break:break-all;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.foot{color:var(--faint);font-size:12.5px;padding-bottom:28px}
@media (max-width:900px){.detail-body{position:sticky;left:12px;max-width:calc(100vw - 76px)}
tr.detail>td{padding-left:12px}
.controls{grid-template-columns:1fr 1fr}.controls .search{grid-column:1/-1}
.figures{grid-template-columns:repeat(3,1fr)}.figures .tile:first-child{grid-column:span 2}}
@media (max-width:520px){.wrap{padding:0 12px}.top h1{font-size:20px}.figures{grid-template-columns:1fr 1fr;gap:8px}
.tile{padding:10px 12px}.tile-value{font-size:21px}.figures .tile:first-child .tile-value{font-size:28px}
#worklist,#rejected{padding:12px}.status{padding:12px 14px}.status h2{font-size:19px}.pager .field{margin-left:0}}
@media print{
body{background:#fff;font-size:11pt}
.top{background:#fff;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
.brand,.meta{color:#333}
.controls,.pager,.view-status button,noscript{display:none!important}
#worklist,#rejected,.chart,.tile,.status{border-color:#999;break-inside:avoid}
#worklist{break-inside:auto}
.table-scroll{overflow:visible;border:0}
table.claims,table.rejected{min-width:0}
thead th{position:static}
button.open-claim,button.sort{color:#000;text-decoration:none}
.twisty{display:none}
tr{break-inside:avoid}
.chart-grid{grid-template-columns:1fr 1fr}
}
`;
