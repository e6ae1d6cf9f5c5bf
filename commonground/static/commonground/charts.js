/*
 * Progressive enhancement: draw a horizontal bar chart above each
 * `<table class="cg-chart-source" data-chart="bar">`. The table stays on the page as the
 * accessible version of the same figures; the chart is a visual summary of it.
 *
 * Table attributes:
 *   data-chart="bar"    required (the only chart type so far)
 *   data-chart-title    optional caption for the chart
 *   data-chart-unit     optional value-axis label, e.g. "%" or "people"
 *   data-chart-max      optional value-axis maximum, e.g. 100 for percentages
 * Each body row: its first <th> is the label, and the cell with a data-value attribute holds the
 * number (the cell text can be formatted freely). Sets data-chart-ready="true" on the table.
 */
(function () {
  'use strict';

  if (typeof window.Chart === 'undefined') return; // chart.umd.js did not load: the table is enough

  const BAR = '#1d70b8'; // GOV.UK blue: 5.2:1 against white
  const TEXT = '#0b0c0c';
  const GRID = '#b1b4b6';
  const numberFormat = new Intl.NumberFormat('en-GB');

  // Match GOV.UK Frontend as compiled for this service (Arial, not GDS Transport).
  Chart.defaults.font.family = 'arial, sans-serif';
  Chart.defaults.font.size = 16;
  Chart.defaults.color = TEXT;

  // GOV.UK style writes "23.5%" but "120 people".
  const spaced = (unit) => (unit === '' || unit === '%' ? unit : ` ${unit}`);

  function readRows(table) {
    const rows = [];
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        const label = row.querySelector('th');
        const cell = row.querySelector('[data-value]');
        const value = cell ? Number.parseFloat(cell.dataset.value) : Number.NaN;
        if (label && Number.isFinite(value)) rows.push({ label: label.textContent.trim(), value });
      }
    }
    return rows;
  }

  function summary(title, unit, rows) {
    // A short text alternative for the canvas; the table that follows has every figure.
    const withUnit = (value) => `${numberFormat.format(value)}${spaced(unit)}`;
    const sorted = [...rows].sort((a, b) => b.value - a.value);
    const high = sorted[0];
    const low = sorted[sorted.length - 1];
    return `Bar chart${title ? ` of ${title}` : ''}, ${rows.length} bar${rows.length === 1 ? '' : 's'}: `
      + `highest ${high.label} (${withUnit(high.value)}), lowest ${low.label} (${withUnit(low.value)}). `
      + 'The figures are in the table that follows.';
  }

  function drawChart(table) {
    const rows = readRows(table);
    if (rows.length === 0) return;
    const title = table.dataset.chartTitle || '';
    const unit = table.dataset.chartUnit || '';
    const max = Number.parseFloat(table.dataset.chartMax);

    const figure = document.createElement('figure');
    figure.className = 'cg-chart';
    figure.style.margin = '0 0 20px';
    if (title) {
      const caption = document.createElement('figcaption');
      caption.className = 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2';
      caption.textContent = title;
      figure.append(caption);
    }
    // Chart.js sizes the canvas to its parent, so the parent gets a height that grows with the rows.
    const frame = document.createElement('div');
    Object.assign(frame.style, { position: 'relative', height: `${rows.length * 2.5 + 4}rem`, maxWidth: '40rem' });
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', summary(title, unit, rows));
    frame.append(canvas);
    figure.append(frame);
    table.before(figure);

    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: rows.map((row) => row.label),
        datasets: [{ label: unit || 'Value', data: rows.map((row) => row.value), backgroundColor: BAR }],
      },
      options: {
        indexAxis: 'y',
        animation: false, // draw at once: nothing to wait for in tests or for motion-sensitive users
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false }, // one series: the axis label says what it is
          tooltip: { callbacks: { label: (item) => `${numberFormat.format(item.parsed.x)}${spaced(unit)}` } },
        },
        scales: {
          x: {
            beginAtZero: true,
            max: Number.isFinite(max) ? max : undefined,
            title: { display: unit !== '', text: unit },
            grid: { color: GRID },
          },
          y: { grid: { display: false } },
        },
      },
    });
    table.dataset.chartReady = 'true';
  }

  document.querySelectorAll('table.cg-chart-source[data-chart="bar"]').forEach((table) => {
    try {
      drawChart(table);
    } catch (error) {
      console.error('Common Ground chart:', error);
    }
  });
}());
