/*
 * Progressive enhancement: draw a horizontal bar chart above each
 * `<table class="cg-chart-source" data-chart="bar">`, and a line chart above each
 * `<table class="cg-chart-source" data-chart="line">`. The table stays on the page as the
 * accessible version of the same figures; the chart is a visual summary of it.
 *
 * Table attributes:
 *   data-chart="bar"    a bar per body row (first cell with data-value)
 *   data-chart="line"   body rows are points in order (e.g. periods); each column after the row
 *                       header is one line, named by its <thead> header; cells without a
 *                       data-value are gaps
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

  const LINES = [BAR, '#505a5f', '#912b88']; // GOV.UK blue, dark grey, purple: each 3:1 or more on white

  function readSeries(table) {
    const heads = [...(table.tHead ? table.tHead.rows[0].cells : [])].slice(1).map((c) => c.textContent.trim());
    const labels = [];
    const series = heads.map((name) => ({ name, values: [] }));
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        const label = row.querySelector('th');
        if (!label) continue;
        labels.push(label.textContent.trim());
        const cells = [...row.cells].slice(1);
        series.forEach((line, i) => {
          const cell = cells[i];
          const value = cell && cell.dataset.value !== undefined ? Number.parseFloat(cell.dataset.value) : Number.NaN;
          line.values.push(Number.isFinite(value) ? value : null);
        });
      }
    }
    return { labels, series: series.filter((line) => line.values.some((v) => v !== null)) };
  }

  function drawLine(table) {
    const { labels, series } = readSeries(table);
    if (labels.length === 0 || series.length === 0) return;
    const title = table.dataset.chartTitle || '';
    const unit = table.dataset.chartUnit || '';
    const figure = document.createElement('figure');
    figure.className = 'cg-chart';
    figure.style.margin = '0 0 20px';
    if (title) {
      const caption = document.createElement('figcaption');
      caption.className = 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2';
      caption.textContent = title;
      figure.append(caption);
    }
    const frame = document.createElement('div');
    Object.assign(frame.style, { position: 'relative', height: '16rem', maxWidth: '40rem' });
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    const first = labels[0];
    const last = labels[labels.length - 1];
    canvas.setAttribute('aria-label', `Line chart${title ? ` of ${title}` : ''}, ${series.length} line`
      + `${series.length === 1 ? '' : 's'} from ${first} to ${last}. The figures are in the table that follows.`);
    frame.append(canvas);
    figure.append(frame);
    table.before(figure);
    new Chart(canvas, {
      type: 'line',
      data: {
        labels,
        datasets: series.map((line, i) => ({
          label: line.name,
          data: line.values,
          borderColor: LINES[i % LINES.length],
          backgroundColor: LINES[i % LINES.length],
          borderDash: i === 0 ? [] : [6, 4], // not colour alone: later lines are dashed
          pointRadius: 5,
          pointStyle: ['circle', 'rect', 'triangle'][i % 3],
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: series.length > 1, labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${numberFormat.format(item.parsed.y)}${spaced(unit)}` } },
        },
        scales: {
          y: { title: { display: unit !== '', text: unit }, grid: { color: GRID } },
          x: { grid: { display: false } },
        },
      },
    });
    table.dataset.chartReady = 'true';
  }

  document.querySelectorAll('table.cg-chart-source[data-chart="line"]').forEach((table) => {
    try {
      drawLine(table);
    } catch (error) {
      console.error('Common Ground chart:', error);
    }
  });

  document.querySelectorAll('table.cg-chart-source[data-chart="bar"]').forEach((table) => {
    try {
      drawChart(table);
    } catch (error) {
      console.error('Common Ground chart:', error);
    }
  });
}());
