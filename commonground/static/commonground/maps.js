/*
 * Progressive enhancement: turn each `.cg-map[data-geojson-url]` into a Leaflet choropleth of
 * deprivation deciles. Without JavaScript (or if loading fails) the element keeps its fallback
 * text, so the page still makes sense.
 *
 * Attributes read from the element:
 *   data-geojson-url        same-origin URL of a GeoJSON FeatureCollection (required)
 *   data-decile-property    feature property holding the decile 1-10 (default "imd_decile")
 *   data-value-property     instead of deciles: shade by any numeric property, in five equal-count
 *                           classes (darker = higher); with data-value-label / data-value-unit for
 *                           the key and tooltips
 *   data-highlight-code     `code` property of one feature to draw with a thick outline
 *   data-tiles-url          optional tile URL template; no base map by default (works offline)
 *   data-tiles-attribution  attribution HTML for those tiles
 * Sets data-map-ready="true" once drawn, or "error" if the data could not be loaded.
 */
(function () {
  'use strict';

  if (typeof window.L === 'undefined') return; // leaflet.js did not load: keep the fallback text

  // Decile 1 (most deprived) first. ColorBrewer "Purples" (colour-blind safe, sequential),
  // sampled from its darkest to a tint that still stands out from the white map background.
  const FILLS = ['#3f007d', '#4e1b8a', '#5d3797', '#6c55a5', '#7c72b4',
    '#8e8ac0', '#a3a0cc', '#b8b7d9', '#cccce4', '#dedeed'];
  // Each fill darkened towards GOV.UK black until the edge has 3:1 contrast with the fill (WCAG
  // non-text contrast); the three darkest fills cannot reach 3:1 with anything darker, so use black.
  const OUTLINES = ['#0b0c0c', '#0b0c0c', '#0b0c0c', '#15131b', '#2d2b3e',
    '#3f3e54', '#4f4f62', '#626273', '#6c6c78', '#75757d'];
  const NO_DATA = { fill: '#b1b4b6', outline: '#505a5f' }; // GOV.UK greys
  const HIGHLIGHT = '#0b0c0c';

  function decileOf(feature, property) {
    const value = Number(feature.properties && feature.properties[property]);
    return Number.isInteger(value) && value >= 1 && value <= 10 ? value : null;
  }

  // Value mode: five classes, lightest to darkest, taken from the decile palette.
  const VALUE_CLASSES = [8, 6, 4, 2, 0];
  const numberFormat = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 });

  function valueOf(feature, property) {
    const raw = feature.properties ? feature.properties[property] : null;
    const value = raw === null || raw === undefined || raw === '' ? Number.NaN : Number(raw);
    return Number.isFinite(value) ? value : null;
  }

  function quantileBreaks(values) {
    const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
    if (sorted.length === 0) return [];
    const breaks = VALUE_CLASSES.map((_, i) => sorted[Math.min(sorted.length - 1,
      Math.ceil(((i + 1) * sorted.length) / VALUE_CLASSES.length) - 1)]);
    return [...new Set(breaks)];
  }

  function classOf(value, breaks) {
    if (value === null || breaks.length === 0) return null;
    const index = breaks.findIndex((upper) => value <= upper);
    const k = index === -1 ? breaks.length - 1 : index;
    // Spread fewer classes over the whole palette so the darkest always means the highest.
    return VALUE_CLASSES[Math.round((k * (VALUE_CLASSES.length - 1)) / Math.max(breaks.length - 1, 1))];
  }

  function valueLegendFor(mapId, breaks, values, label) {
    const list = document.createElement('ol');
    list.className = 'govuk-list cg-map-legend';
    list.id = `${mapId}-legend`;
    list.setAttribute('aria-label', `Map key: ${label}`);
    Object.assign(list.style, { display: 'flex', flexWrap: 'wrap', gap: '4px 12px', marginTop: '10px' });
    const low = Math.min(...values.filter((v) => v !== null));
    breaks.forEach((upper, k) => {
      const palette = classOf(upper, breaks);
      const item = document.createElement('li');
      item.style.marginBottom = '0';
      const swatch = document.createElement('span');
      swatch.setAttribute('aria-hidden', 'true');
      Object.assign(swatch.style, {
        display: 'inline-block', width: '1em', height: '1em', marginRight: '4px',
        verticalAlign: 'middle', background: FILLS[palette], border: `1px solid ${OUTLINES[palette]}`,
      });
      const from = k === 0 ? low : breaks[k - 1];
      item.append(swatch, `${numberFormat.format(from)} to ${numberFormat.format(upper)}`);
      list.append(item);
    });
    return list;
  }

  function tooltipFor(feature, decile, highlighted) {
    // Built from text nodes, never HTML strings: names come from data files.
    const props = feature.properties || {};
    const box = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = props.name || 'Unnamed area';
    box.append(name, document.createElement('br'),
      `Code: ${props.code || 'unknown'}`, document.createElement('br'),
      decile === null ? 'Decile: no data' : `Decile: ${decile} of 10`);
    if (highlighted) box.append(document.createElement('br'), '(highlighted area)');
    return box;
  }

  function valueTooltipFor(feature, value, label, unit, highlighted) {
    const props = feature.properties || {};
    const box = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = props.name || 'Unnamed area';
    box.append(name, document.createElement('br'), `Code: ${props.code || 'unknown'}`, document.createElement('br'),
      value === null ? `${label}: no data` : `${label}: ${numberFormat.format(value)}${unit ? ` ${unit}` : ''}`);
    if (highlighted) box.append(document.createElement('br'), '(highlighted area)');
    return box;
  }

  function placeTooltipFor(feature) {
    const props = feature.properties || {};
    const box = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = props.name || 'Unnamed place';
    box.append(name, document.createElement('br'), props.kind || 'Place');
    if (props.state) box.append(document.createElement('br'), props.state);
    return box;
  }

  function legendFor(mapId) {
    const list = document.createElement('ol');
    list.className = 'govuk-list cg-map-legend';
    list.id = `${mapId}-legend`;
    list.setAttribute('aria-label', 'Map key: deprivation decile');
    Object.assign(list.style, { display: 'flex', flexWrap: 'wrap', gap: '4px 12px', marginTop: '10px' });
    FILLS.forEach((fill, index) => {
      const item = document.createElement('li');
      item.style.marginBottom = '0';
      const swatch = document.createElement('span');
      swatch.setAttribute('aria-hidden', 'true');
      Object.assign(swatch.style, {
        display: 'inline-block', width: '1em', height: '1em', marginRight: '4px',
        verticalAlign: 'middle', background: fill, border: `1px solid ${OUTLINES[index]}`,
      });
      const decile = index + 1;
      const words = decile === 1 ? ' most deprived' : decile === 10 ? ' least deprived' : '';
      item.append(swatch, `${decile}${words}`);
      list.append(item);
    });
    return list;
  }

  async function drawMap(el, index) {
    const url = new URL(el.dataset.geojsonUrl, window.location.href);
    if (url.origin !== window.location.origin) throw new Error(`refusing cross-origin GeoJSON ${url}`);
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json, application/json' } });
    if (!response.ok) throw new Error(`GeoJSON ${url} returned HTTP ${response.status}`);
    const data = await response.json();

    const property = el.dataset.decileProperty || 'imd_decile';
    const valueProperty = el.dataset.valueProperty || '';
    const valueLabel = el.dataset.valueLabel || valueProperty;
    const valueUnit = el.dataset.valueUnit || '';
    const values = valueProperty ? (data.features || []).map((f) => valueOf(f, valueProperty)) : [];
    const breaks = valueProperty ? quantileBreaks(values) : [];
    // Palette index 0-9 (darkest first) or null, in either mode.
    const shadeOf = (feature) => (valueProperty
      ? classOf(valueOf(feature, valueProperty), breaks)
      : (decileOf(feature, property) === null ? null : decileOf(feature, property) - 1));
    const highlightCode = el.dataset.highlightCode || '';
    const mapId = el.id || `cg-map-${index + 1}`;
    el.id = mapId;

    let highlighted = null;
    const layer = L.geoJSON(data, {
      style(feature) {
        const shade = shadeOf(feature);
        const isHighlight = highlightCode !== '' && feature.properties && feature.properties.code === highlightCode;
        return {
          fillColor: shade === null ? NO_DATA.fill : FILLS[shade],
          fillOpacity: 1,
          color: isHighlight ? HIGHLIGHT : shade === null ? NO_DATA.outline : OUTLINES[shade],
          weight: isHighlight ? 4 : 1,
        };
      },
      // A place (a point): a circle outlined in black, so it shows on every shade of the areas under it.
      pointToLayer(feature, latlng) {
        return L.circleMarker(latlng, { radius: 7 });
      },
      onEachFeature(feature, featureLayer) {
        if (feature.geometry && feature.geometry.type === 'Point') {
          featureLayer.setStyle({ fillColor: '#ffdd00', fillOpacity: 1, color: HIGHLIGHT, weight: 2 });
          featureLayer.bindTooltip(placeTooltipFor(feature), { sticky: true });
          return;
        }
        const isHighlight = highlightCode !== '' && feature.properties && feature.properties.code === highlightCode;
        if (isHighlight) highlighted = featureLayer;
        const tip = valueProperty
          ? valueTooltipFor(feature, valueOf(feature, valueProperty), valueLabel, valueUnit, isHighlight)
          : tooltipFor(feature, decileOf(feature, property), isHighlight);
        featureLayer.bindTooltip(tip, { sticky: true });
      },
    });

    // Only now replace the fallback text, so a failed fetch or bad GeoJSON leaves it in place.
    el.replaceChildren();
    if (el.clientHeight < 100) el.style.height = '24rem'; // Leaflet needs a height; pages may set their own
    // Scroll-wheel zoom would hijack page scrolling; the +/- buttons and keyboard still zoom.
    const map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 }); // quarter steps: fit small areas snugly
    const tilesUrl = el.dataset.tilesUrl || '';
    if (tilesUrl) {
      L.tileLayer(tilesUrl, { attribution: el.dataset.tilesAttribution || '' }).addTo(map);
    } else {
      el.style.backgroundColor = '#ffffff'; // Leaflet's grey would hide the lightest deciles
    }

    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([54.0, -2.5], 5); // no features: show Great Britain rather than a blank world
    layer.addTo(map);
    // Keep the thick outline on top so neighbouring areas do not paint over it.
    if (highlighted && highlighted.bringToFront) highlighted.bringToFront();

    const note = document.createElement('p');
    note.className = 'govuk-visually-hidden';
    note.id = `${mapId}-note`;
    note.textContent = (valueProperty
      ? `Map of areas shaded by ${valueLabel}: darker purple is higher, in five groups with about as many areas each`
      : 'Map of areas shaded by deprivation decile: darker purple is more deprived, '
        + 'from decile 1 (most deprived) to decile 10 (least deprived)')
      + (highlighted ? '; the highlighted area has a thick black outline. ' : '. ')
      + 'The key follows the map.';
    el.append(note);
    el.setAttribute('aria-describedby', note.id);
    el.after(valueProperty ? valueLegendFor(mapId, breaks, values, valueLabel) : legendFor(mapId));
    el.dataset.mapReady = 'true';
  }

  document.querySelectorAll('.cg-map[data-geojson-url]').forEach((el, index) => {
    drawMap(el, index).catch((error) => {
      el.dataset.mapReady = 'error';
      console.error('Common Ground map:', error);
    });
  });
}());
