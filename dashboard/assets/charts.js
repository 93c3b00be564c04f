// Takes the charts' toolbar buttons (Plotly's modebar: real <button>s, rebuilt on
// every redraw) out of the keyboard's tab order: a page of charts otherwise spends
// most of its tab stops on zoom, pan and download buttons. The toolbar stays usable
// with a mouse; every number it could show is also in the table.
(function () {
    function untab(root) {
        root.querySelectorAll(".modebar-btn:not([tabindex='-1'])").forEach(
            function (button) { button.setAttribute("tabindex", "-1"); }
        );
    }
    function watch() {
        untab(document);
        new MutationObserver(function (mutations) {
            for (const mutation of mutations) {
                if (mutation.addedNodes.length) { untab(document); return; }
            }
        }).observe(document.body, { childList: true, subtree: true });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", watch);
    } else {
        watch();
    }
})();
