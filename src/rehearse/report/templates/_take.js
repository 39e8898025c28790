(function () {
  "use strict";
  var audio = document.getElementById("take-audio");
  var chart = document.getElementById("timeline-chart");
  var playhead = document.getElementById("playhead");
  var words = Array.prototype.slice.call(document.querySelectorAll(".w[data-t]"));
  var starts = words.map(function (w) { return parseFloat(w.dataset.t); });
  var current = null;

  function seek(seconds) {
    if (!audio || !isFinite(seconds)) { return; }
    audio.currentTime = Math.max(0, seconds);
    var playing = audio.play();
    // Playback can be refused (no sound device, autoplay policy); the seek still stands.
    if (playing && playing.catch) { playing.catch(function () {}); }
    if (chart) { chart.classList.add("seeked"); }
    update();
  }

  function wordAt(seconds) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= seconds) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function update() {
    if (!audio) { return; }
    var t = audio.currentTime;
    if (chart && playhead) {
      var left = parseFloat(chart.dataset.left), right = parseFloat(chart.dataset.right), end = parseFloat(chart.dataset.end);
      var x = left + (right - left) * Math.min(t / end, 1);
      playhead.style.left = (x * 100).toFixed(3) + "%";
    }
    var index = wordAt(t + 0.02);
    var word = index >= 0 ? words[index] : null;
    if (word !== current) {
      if (current) { current.classList.remove("now"); }
      if (word && !audio.paused) { word.classList.add("now"); }
      current = word && !audio.paused ? word : null;
    }
  }

  function tick() {
    update();
    if (audio && !audio.paused) { window.requestAnimationFrame(tick); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-t]");
    if (target) { seek(parseFloat(target.dataset.t)); }
  });

  if (chart) {
    chart.addEventListener("click", function (event) {
      var box = chart.getBoundingClientRect();
      var left = parseFloat(chart.dataset.left), right = parseFloat(chart.dataset.right), end = parseFloat(chart.dataset.end);
      var fraction = ((event.clientX - box.left) / box.width - left) / (right - left);
      if (fraction >= 0 && fraction <= 1) { seek(fraction * end); }
    });
  }

  // A printed report shows every section, folded or not.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  if (audio) {
    audio.addEventListener("play", function () {
      if (chart) { chart.classList.add("playing"); }
      window.requestAnimationFrame(tick);
    });
    audio.addEventListener("pause", function () {
      if (chart) { chart.classList.remove("playing"); }
      if (current) { current.classList.remove("now"); current = null; }
    });
    audio.addEventListener("seeked", update);
  }
})();
