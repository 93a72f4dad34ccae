// Draws the athlete page's charts: the figures come as JSON in the page (no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("figures");
  if (!source) return;
  for (const figure of JSON.parse(source.textContent)) {
    Plotly.newPlot("chart-" + figure.id, figure.data, figure.layout,
                   {displayModeBar: false, responsive: true});
  }
});
