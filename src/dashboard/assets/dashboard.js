// The dashboard's only script: live updates of the parts each page marks, and the burndown charts.
// Every page works without it (plain links and GET forms); with it, the marked parts follow the
// campaign without a reload. The server renders and escapes everything it puts in a part.
(function () {
  'use strict';

  var body = document.body;
  var status = document.querySelector('[data-live-status]');
  var charts = {};

  function say(text) {
    if (status) status.textContent = text;
  }

  // Okabe-Ito colours, and a dash pattern per line so lines tell apart without colour.
  var STYLE = {
    succeeded: ['#009E73', []],
    failed: ['#D55E00', [6, 3]],
    timed_out: ['#E69F00', [2, 2]],
    cancelled: ['#666666', [8, 2, 2, 2]],
    skipped: ['#999999', [1, 3]],
    running: ['#0072B2', [10, 4]],
    pending: ['#56B4E9', [4, 4]],
    opened: ['#000000', [6, 3]],
    merged: ['#009E73', []],
    closed: ['#666666', [8, 2, 2, 2]],
    open_red: ['#D55E00', [2, 2]],
    open_green: ['#56B4E9', [10, 4]],
  };

  function drawChart(part, data) {
    var el = document.querySelector('[data-chart-part="' + part + '"]');
    if (!el || typeof window.uPlot !== 'function') return;
    var figure = el.closest('figure');
    if (!data) {
      if (figure) figure.hidden = true;
      return;
    }
    if (figure) figure.hidden = false;
    var rows = [data.times].concat(
      data.series.map(function (s) {
        return s.values;
      }),
    );
    var existing = charts[part];
    if (existing && existing.series.length === data.series.length + 1) {
      existing.setData(rows);
      return;
    }
    if (existing) existing.destroy();
    var width = Math.max(280, el.clientWidth || 600);
    charts[part] = new window.uPlot(
      {
        width: width,
        height: 220,
        tzDate: function (ts) {
          return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
        },
        scales: { y: { range: [0, null] } },
        series: [{}].concat(
          data.series.map(function (s) {
            var style = STYLE[s.name] || ['#000000', []];
            return { label: s.label, stroke: style[0], dash: style[1], width: 2 };
          }),
        ),
        axes: [{}, { label: part === 'items' ? 'items' : 'PRs' }],
      },
      rows,
      el,
    );
  }

  function drawCharts(data) {
    drawChart('items', data.items);
    drawChart('prs', data.prs);
  }

  var holder = document.getElementById('charts');
  if (holder && holder.dataset.chart) {
    var first = JSON.parse(holder.dataset.chart);
    var start = function () {
      drawCharts(first);
    };
    if (typeof window.uPlot === 'function') start();
    else window.addEventListener('load', start);
  }

  var fragments = body.dataset.fragments;
  var busy = false;
  var again = false;

  function replace(name, html) {
    var el = document.querySelector('[data-fragment="' + name + '"]');
    if (!el) return;
    // Someone is on a link or control in this part: leave it until the next change.
    if (el.contains(document.activeElement) && document.activeElement !== body) return;
    el.innerHTML = html;
  }

  function refresh() {
    if (!fragments) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(fragments + window.location.search, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (data) {
        Object.keys(data.fragments || {}).forEach(function (name) {
          replace(name, data.fragments[name]);
        });
        if (data.chart) drawCharts(data.chart);
        say('Live · updated ' + new Date().toISOString().slice(11, 19) + ' UTC');
      })
      .catch(function (error) {
        say('Not updating: ' + error.message);
      })
      .finally(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  if (body.dataset.events && typeof window.EventSource === 'function') {
    var events = new EventSource(body.dataset.events);
    events.addEventListener('change', refresh);
    events.addEventListener('open', function () {
      say('Live');
    });
    events.addEventListener('error', function () {
      say('Reconnecting…');
    });
  } else if (body.dataset.pollMs) {
    window.setInterval(function () {
      if (!document.hidden) refresh();
    }, Number(body.dataset.pollMs));
  }
})();
