// Keeps "(12 s ago)" beside "Last updated" counting every second, from the data's
// collection time that a clientside callback writes into #data-age's data-at. A plain
// timer: Dash holds callbacks reading the snapshot store while a refresh runs, which
// froze the count exactly when the user waits.
(function () {
    function tick() {
        const el = document.getElementById("data-age");
        if (!el || !el.dataset.at) { return; }
        const at = Date.parse(el.dataset.at);
        if (isNaN(at)) { el.textContent = ""; return; }
        const ago = Math.max(0, Math.round((Date.now() - at) / 1000));
        const age = ago < 120 ? ago + " s ago" : Math.round(ago / 60) + " min ago";
        el.textContent = "(" + age + ")" + (el.dataset.stale ? " · stale" : "");
    }
    window.drsClock = tick;
    window.setInterval(tick, 1000);
})();
