// Habeas: the map of places of detention (Leaflet, served from our own static files).
// Settings come from data- attributes; no inline script (strict CSP). Markers are circles
// drawn on one canvas, so 20,000 places stay usable. Without a tile server the map has a
// plain background and the places still show, fitted to their bounds.
(function () {
  "use strict";

  var COLOURS = { open: "#1f4e79", closed: "#8b929c", unofficial: "#c77700" };

  function baseMap(element) {
    var map = L.map(element, { preferCanvas: true, worldCopyJump: true, zoomControl: true });
    var tiles = element.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
    }
    return map;
  }

  function popupFor(element, properties) {
    // Built from text nodes, never from HTML strings: a place's name is data, not markup.
    var box = document.createElement("div");
    box.className = "place-popup";
    var name = document.createElement("strong");
    name.textContent = properties.name;
    box.appendChild(name);
    var meta = document.createElement("span");
    meta.className = "meta";
    var bits = [properties.category];
    if (properties.status === "closed") { bits.push(element.getAttribute("data-label-closed")); }
    if (properties.official === false) { bits.push(element.getAttribute("data-label-unofficial")); }
    meta.textContent = bits.join(" · ");
    box.appendChild(meta);
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = element.getAttribute("data-label-open");
    box.appendChild(link);
    return box;
  }

  function markerStyle(properties, renderer) {
    var closed = properties.status === "closed";
    return {
      renderer: renderer,
      radius: 5,
      weight: properties.official === false ? 2.5 : 1,
      color: properties.official === false ? COLOURS.unofficial : "#ffffff",
      fillColor: closed ? COLOURS.closed : COLOURS.open,
      fillOpacity: 0.85
    };
  }

  function showPlaces(element, collection) {
    var map = baseMap(element);
    var renderer = L.canvas({ padding: 0.5 });
    var layer = L.featureGroup();
    collection.features.forEach(function (feature) {
      var coords = feature.geometry.coordinates;
      var marker = L.circleMarker([coords[1], coords[0]], markerStyle(feature.properties, renderer));
      marker.on("click", function () {
        marker.bindPopup(popupFor(element, feature.properties)).openPopup();
      });
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (collection.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 14 });
    } else {
      map.setView([20, 0], 2);
    }
    var status = document.getElementById("map-status");
    if (status) {
      status.textContent = collection.label || String(collection.features.length);
    }
  }

  function failed(element) {
    var status = document.getElementById("map-status");
    if (status) { status.textContent = element.getAttribute("data-label-error"); }
  }

  function initInventoryMap(element) {
    fetch(element.getAttribute("data-geojson-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (collection) { showPlaces(element, collection); })
      .catch(function () { failed(element); });
  }

  function initPlaceMap(element) {
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) { return; }
    var map = baseMap(element);
    L.circleMarker([lat, lon], {
      renderer: L.canvas(), radius: 8, weight: 2, color: "#ffffff", fillColor: COLOURS.open, fillOpacity: 0.9
    }).addTo(map);
    map.setView([lat, lon], element.getAttribute("data-tile-url") ? 14 : 8);
  }

  function init() {
    if (typeof L === "undefined") { return; }
    var inventory = document.querySelector("#map[data-geojson-url]");
    if (inventory) { initInventoryMap(inventory); }
    var single = document.querySelector(".map[data-lat]");
    if (single) { initPlaceMap(single); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
