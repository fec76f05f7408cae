// The commune explorer (reports/drilldown.py): commune.html#<unit_code>[/<section>].
// Data comes from <script> files beside the page (data/communes-index.js, then the unit's
// province file data/communes-<province>.js), so the folder opens from file:// offline.
// Every value is put into the page as text (textContent), never as markup.
(function () {
  'use strict';
  var L = window.RW_LABELS, DATA = window.RW_DATA || (window.RW_DATA = {});
  var index = DATA['communes-index'] || [], byCode = {};
  index.forEach(function (u) { byCode[u[0]] = u; });
  var root = document.getElementById('explorer');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function link(href, text) { return el('a', {href: href}, [text]); }
  function missing(v) { return v === null || v === undefined; }
  function int(v) { return missing(v) ? '—' : Math.round(v).toLocaleString('en-US'); }
  function num1(v) { return missing(v) ? '—' : v.toLocaleString('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1}); }
  function pct(v) { return missing(v) ? '—' : (v * 100).toFixed(1) + '%'; }
  function record(columns, row) {
    var r = {}; columns.forEach(function (c, i) { r[c] = row[i]; }); return r;
  }
  function bilingual(vi, en) {
    return el('span', {}, [el('span', {lang: 'vi'}, [vi]), ' / ', el('span', {'class': 'en', lang: 'en'}, [en])]);
  }
  function csvCell(v) {
    if (missing(v)) return '';
    var s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  // The table's data as CSV with a BOM (Excel then reads Vietnamese), offered for download.
  function download(name, header, rows) {
    var text = '\ufeff' + [header].concat(rows).map(function (r) { return r.map(csvCell).join(','); }).join('\r\n') + '\r\n';
    var a = el('a', {href: URL.createObjectURL(new Blob([text], {type: 'text/csv;charset=utf-8'})), download: name}, ['⬇ ']);
    a.appendChild(bilingual('Tải dữ liệu (CSV)', 'Download data (CSV)'));
    return el('p', {'class': 'downloads'}, [a]);
  }
  // A table: heads [label], rows [[cell]] where a cell is text or a node; raw rows for the CSV.
  function table(id, heads, rows, csvName, csvHeader, csvRows) {
    var head = el('tr', {}, heads.map(function (h) { return el('th', {scope: 'col'}, [h]); }));
    var body = el('tbody', {}, rows.map(function (r) {
      return el('tr', {}, r.map(function (c) {
        return el('td', typeof c === 'string' && /^[\d,.\-—%]+$/.test(c) ? {'class': 'num'} : {}, [c]);
      }));
    }));
    var wrap = el('div', {'class': 'table-wrap'}, [el('table', {id: id}, [el('thead', {}, [head]), body])]);
    var box = el('div', {}, [wrap]);
    if (csvRows.length) box.appendChild(download(csvName, csvHeader, csvRows));
    return box;
  }
  function section(id, vi, en, children) {
    return el('section', {'class': 'block', id: id}, [el('h2', {}, [bilingual(vi, en)])].concat(children));
  }
  function label(labels, code) { return labels[code] || code; }

  function render(code, part) {
    var entry = byCode[code], data = DATA['communes-' + entry[2]], cols = data.columns;
    var found = data.units[code];
    var u = record(cols.unit, found.unit), hash = '#' + code;
    document.getElementById('crumb-province').replaceChildren(
      link('province-' + entry[2] + '.html', entry[3]), ' › ', document.createTextNode(u.unit_name));
    document.title = u.unit_name + ' — ReformWatch';
    var groups = found.groups.map(function (r) { return record(cols.groups, r); });
    var comps = found.components.map(function (r) { return record(cols.components, r); });
    var overdue = found.overdue.map(function (r) { return record(cols.overdue, r); });
    var slow = found.slow.map(function (r) { return record(cols.slow, r); });
    var picked = part && part.indexOf('group-') === 0 ? part.slice(6) : null;
    var slug = 'commune-' + code;
    function procedure(c) { return data.procedures[c] || c; }

    var summary = table('summary',
      ['Chỉ số / Indicator', 'Giá trị / Value', 'Chi tiết / Detail'],
      [
        ['Điểm chỉ số phục vụ / Service-index score', missing(u.score) ? '—' : link(hash + '/groups', num1(u.score)),
         missing(u.band_name_vi) ? '' : u.band_name_vi + ' / ' + u.band_name_en + ' · hạng / rank ' + int(u.rank_in_province) + '/' + int(u.ranked_in_province)],
        ['Tỷ lệ đúng hạn / On-time rate', link(hash + '/group-progress', pct(u.on_time_rate)), int(u.on_time_numerator) + ' / ' + int(u.on_time_denominator)],
        ['Tỷ lệ quá hạn / Overdue rate', link(hash + '/overdue', pct(u.overdue_rate)), int(u.overdue_numerator) + ' / ' + int(u.on_time_denominator)],
        ['Đang quá hạn (cuối kỳ) / Open past due (latest)', link(hash + '/overdue', int(u.past_due_dossiers)),
         '1–5: ' + int(u.past_due_1_5_days) + ' · 6–10: ' + int(u.past_due_6_10_days) + ' · 11–20: ' + int(u.past_due_11_20_days) + ' · >20: ' + int(u.past_due_over_20_days)],
        ['Hồ sơ tiếp nhận / Dossiers received', int(u.dossiers_received), 'trực tuyến / online ' + pct(u.online_share)],
        ['Cán bộ / Staff', int(u.headcount), num1(u.staff_per_10k_residents) + ' / 10.000 dân (residents)'],
        ['Hồ sơ phân cấp / Devolved dossiers', int(u.devolved_dossiers), num1(u.devolved_dossiers_per_10k_residents) + ' / 10.000 dân (residents)'],
        ['Chi được giao (VND) / Expenditure allocated (VND)', int(u.expenditure_allocated_vnd),
         'giải ngân / disbursed ' + pct(u.budget_execution_rate) + ' · chuyển đổi số / digital ' + pct(u.digital_transformation_share)],
        ['Thiếu nguồn lực / Resource gap', missing(u.resource_gap_flag) ? '—' : (u.resource_gap_flag ? 'Có / Yes' : 'Không / No'), ''],
        ['Trụ sở dôi dư / Surplus offices', int(u.surplus_offices),
         missing(u.offices_total) ? 'không có tài sản trong kỳ kiểm kê / no asset in the inventory' :
         'trên / of ' + int(u.offices_total) + ' trụ sở (offices) · chờ xử lý / waiting ' + int(u.waiting) +
         ' · đang chuyển đổi / repurposing ' + int(u.repurposing) + ' · đã chuyển đổi / repurposed ' + int(u.repurposed) +
         ' · đã thanh lý / disposed ' + int(u.disposed) + ' · kiểm kê / inventory ' + (u.assets_snapshot_date || '—')],
        ['Đã chuyển đổi / Repurposed share', pct(u.repurposed_share), int(u.repurposed) + ' / ' + int(u.surplus_offices)],
        ['Hồ sơ lưu trữ đã số hóa / Archive records digitised', pct(u.archive_digitised_share),
         int(u.archive_records_digitised) + ' / ' + int(u.archive_records)],
        ['Bước chậm nhất / Slowest steps', link(hash + '/slow', int(slow.length)), ''],
        ['Đúng hạn: 12 tháng trước / sau cải cách / On time: 12 months before / after the reform',
         pct(u.on_time_rate_before) + ' → ' + pct(u.on_time_rate_after),
         'đơn vị cũ sáp nhập / former units merged in: ' + int(u.old_units_absorbed)],
      ],
      slug + '-summary.csv', cols.unit, [found.unit]);

    var groupRows = groups.map(function (g) {
      return [label(L.groups, g.group_code), link(hash + '/group-' + g.group_code, num1(g.group_points)), num1(g.points_available), num1(g.max_points)];
    });
    var groupTable = table('groups', ['Nhóm / Group', 'Điểm / Points', 'Điểm khả dụng / Available', 'Tối đa / Max'],
      groupRows, slug + '-groups.csv', cols.groups, found.groups);

    var shownComps = picked ? comps.filter(function (c) { return c.group_code === picked; }) : comps;
    // counts as integers, sums of days with a decimal; a ratio in days (an average) as days
    function amount(v) { return missing(v) || v === Math.round(v) ? int(v) : num1(v); }
    var compRows = shownComps.map(function (c) {
      var ratio = /_days$/.test(c.component_code) ? num1(c.ratio) : pct(c.ratio);
      var toDossiers = c.component_code === 'on_time_rate' || c.component_code === 'overdue_rate' || c.component_code === 'handling_satisfaction';
      return [label(L.groups, c.group_code), label(L.components, c.component_code),
        toDossiers ? link(hash + '/overdue', amount(c.numerator)) : amount(c.numerator), amount(c.denominator),
        toDossiers ? link(hash + '/overdue', ratio) : ratio, num1(c.points) + ' / ' + num1(c.max_points)];
    });
    var compChildren = [];
    if (picked) compChildren.push(el('p', {'class': 'note'}, [label(L.groups, picked) + ' · ', link(hash + '/components', 'tất cả / all')]));
    compChildren.push(table('components', ['Nhóm / Group', 'Tỷ lệ / Ratio', 'Tử số / Numerator', 'Mẫu số / Denominator', 'Giá trị / Value', 'Điểm / Points'],
      compRows, slug + '-components.csv', cols.components,
      found.components.filter(function (r) { return !picked || record(cols.components, r).group_code === picked; })));

    var overdueChildren = [];
    ['open_past_due', 'finished_overdue'].forEach(function (status) {
      var rows = overdue.filter(function (o) { return o.overdue_status === status; });
      overdueChildren.push(el('h3', {}, [label(L.statuses, status) + ' (' + rows.length + ')']));
      if (!rows.length) { overdueChildren.push(el('p', {'class': 'note'}, ['Không có / None.'])); return; }
      overdueChildren.push(table('overdue-' + status,
        ['Mã hồ sơ / Dossier', 'Thủ tục / Procedure', 'Tiếp nhận / Received', 'Hẹn trả / Promised', 'Quá hạn lúc / Overdue at', 'Ngày làm việc quá hạn / Working days past due', 'Yêu cầu bổ sung / Supplement requests'],
        rows.map(function (o) { return [o.dossier_code, procedure(o.procedure_code), o.received_at, o.promised_at, o.overdue_at, int(o.working_days_past_due), int(o.supplement_requests)]; }),
        slug + '-' + status + '.csv', cols.overdue,
        found.overdue.filter(function (r) { return record(cols.overdue, r).overdue_status === status; })));
    });
    overdueChildren.push(el('p', {'class': 'note'}, ['Tối đa ' + L.overdue_listed + ' hồ sơ mỗi loại, quá hạn lâu nhất trước / At most ' + L.overdue_listed + ' per status, longest past due first.']));

    var slowChildren = slow.length ? [table('slow',
      ['Thủ tục / Procedure', 'Bước / Step', 'Số lượt / Steps', 'Trung vị (ngày làm việc) / Median working days', 'Cả nước / National median', 'Gấp / Times national', 'Chậm / Slow stage'],
      slow.map(function (s) { return [procedure(s.procedure_code), s.step_name, int(s.steps_completed), num1(s.median_dwell_working_days), num1(s.national_median_dwell_working_days), num1(s.dwell_ratio), s.is_slow_stage ? 'Có / Yes' : '']; }),
      slug + '-slow-steps.csv', cols.slow, found.slow)]
      : [el('p', {'class': 'note'}, ['Chưa đủ dữ liệu / Not enough data.'])];

    root.replaceChildren(
      el('h2', {id: 'unit-name'}, [u.unit_name + ' (' + u.unit_code + ') · ' + label(L.unit_types, u.unit_type)]),
      section('summary-block', 'Tổng quan', 'Summary', [summary]),
      section('groups-block', 'Sáu nhóm chỉ số', 'The six groups', [groupTable]),
      section('components-block', 'Tỷ lệ thành phần: tử số / mẫu số', 'Ratios: numerator / denominator', compChildren),
      section('overdue-block', 'Hồ sơ quá hạn', 'Overdue dossiers', overdueChildren),
      section('slow-block', 'Bước xử lý chậm nhất', 'Slowest steps', slowChildren));
    var target = {groups: 'groups-block', components: 'components-block', overdue: 'overdue-block', slow: 'slow-block'}[part] ||
      (picked ? 'components-block' : null);
    if (target) document.getElementById(target).scrollIntoView();
  }

  function show() {
    var hash = decodeURIComponent(location.hash.slice(1)), code = hash.split('/')[0], part = hash.split('/')[1] || '';
    var entry = byCode[code];
    if (!entry) {
      root.replaceChildren(el('p', {'class': 'note'}, [code ? 'Không tìm thấy / Not found: ' + code : 'Chọn một xã/phường / Pick a commune.']));
      return;
    }
    var name = 'communes-' + entry[2];
    if (DATA[name]) { render(code, part); return; }
    var script = el('script', {src: 'data/' + name + '.js'});
    script.onload = function () { render(code, part); };
    document.head.appendChild(script);
  }

  var list = document.getElementById('unit-list'), search = document.getElementById('unit-search');
  index.forEach(function (u) { list.appendChild(el('option', {value: u[0] + ' ' + u[1] + ' — ' + u[3]})); });
  search.addEventListener('change', function () {
    var code = search.value.split(' ')[0];
    if (byCode[code]) location.hash = code;
  });
  window.addEventListener('hashchange', show);
  show();
})();
