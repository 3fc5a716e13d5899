/** The report's inline style: system fonts only (nothing to fetch), fluid charts, wide tables scroll on phones. */
export const REPORT_CSS = `
:root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d9d9d9;--accent:#0072B2;--alert:#C00000;--good:#007a5a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "DejaVu Sans","Liberation Sans",Arial,sans-serif;color:var(--fg);background:#fff}
header,main{max-width:1100px;margin:0 auto;padding:0 16px}
header{padding-top:16px;border-bottom:1px solid var(--line)}
h1{font-size:1.5rem;margin:.2em 0}
h1 .window{font-weight:normal;color:var(--muted);font-size:1.1rem}
h2{font-size:1.25rem;margin:1.6em 0 .4em;padding-top:.4em;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.2em 0 .2em}
.muted,.scope{color:var(--muted)}
.note{color:#7a4b00;background:#fff6e0;padding:4px 8px;border-radius:4px}
.alert{color:var(--alert);font-weight:bold}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;padding:8px 0}
nav a{color:var(--accent)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin-top:16px}
.tile{border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.tile-name{color:var(--muted);font-size:.85rem}
.tile-value{font-size:1.4rem;font-weight:bold}
.tile-detail{color:var(--muted);font-size:.85rem}
figure.chart{margin:8px 0 16px}
.svg svg{width:100%;height:auto;display:block}
.svg.narrow{display:none}
details summary{cursor:pointer;color:var(--accent);margin:4px 0}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:6px 0 12px}
table{border-collapse:collapse;min-width:60%;font-size:.9rem}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.up{color:var(--alert)} td.down{color:var(--good)}
td.evidence{font-size:.8rem;color:var(--muted);min-width:14em}
td.evidence ul{margin:4px 0;padding-left:1.2em}
td.day{white-space:nowrap}
tfoot td{font-weight:bold}
button.sort{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;color:inherit}
button.sort::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button.sort::after{content:" \\2191"}
th[aria-sort=descending] button.sort::after{content:" \\2193"}
code{background:#f4f4f4;padding:0 3px}
@media (max-width:600px){.svg.wide{display:none}.svg.narrow{display:block}body{font-size:14px}h1{font-size:1.2rem}.tile-value{font-size:1.15rem}}
@media print{nav,details summary{display:none}details>*{display:block}details::details-content{content-visibility:visible;display:block}
section{break-inside:auto}figure.chart{break-inside:avoid}a{color:inherit;text-decoration:none}}
`

/**
 * Sorts a table by a header's column (numbers by `data-value`, else text) and opens the data tables
 * before printing. About twenty lines, no library: the page draws without it.
 */
export const REPORT_SCRIPT = `
(function(){
  function key(cell){var v=cell.getAttribute('data-value');if(v!==null&&v!==''&&!isNaN(Number(v)))return Number(v);return cell.textContent.toLowerCase()}
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th button.sort').forEach(function(button,column){
      button.addEventListener('click',function(){
        var th=button.parentNode,asc=th.getAttribute('aria-sort')!=='ascending'
        table.querySelectorAll('th').forEach(function(h){h.setAttribute('aria-sort','none')})
        th.setAttribute('aria-sort',asc?'ascending':'descending')
        var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows)
        rows.sort(function(a,b){var x=key(a.cells[column]),y=key(b.cells[column]);if(typeof x!==typeof y){x=String(x);y=String(y)}return \
(x<y?-1:x>y?1:0)*(asc?1:-1)})
        rows.forEach(function(r){body.appendChild(r)})
      })
    })
  })
  window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true})})
})();
`
