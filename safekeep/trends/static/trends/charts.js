// The trend pages' charts. Each chart draws the numbers of the table beside it (the table is the primary,
// accessible form), read from the json_script block the page names in data-trend-chart. No inline script
// (strict CSP): this file and Chart.js are loaded with the page's nonce.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  // GOV.UK colours, with enough contrast against white (WCAG 2.2 1.4.11).
  var colours = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f"];
  document.querySelectorAll("[data-trend-chart]").forEach(function (figure) {
    var source = document.getElementById(figure.getAttribute("data-trend-chart"));
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas) return;
    var data = JSON.parse(source.textContent);
    var line = data.type === "line";
    new window.Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (series, index) {
          var colour = colours[index % colours.length];
          return { label: series.label, data: series.data, backgroundColor: colour, borderColor: colour,
                   fill: false, tension: 0 };
        })
      },
      options: {
        animation: false,
        indexAxis: line ? "x" : "y",
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    figure.setAttribute("data-drawn", "true");
  });
})();
