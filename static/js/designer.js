/* The designer of "Add product": the design on the print area, moved and scaled with Konva
   (static/vendor/konva), a live resolution check, and the placement written into the form's
   hidden fields (fractions of the print area) so a normal POST saves it. */
(function () {
  "use strict";

  var box = document.getElementById("designer");
  if (!box || !window.Konva) return;
  var form = box.closest("form");
  var field = function (name) { return form.querySelector('input[name="' + name + '"]'); };
  var status = document.getElementById("dpi-status");
  var widthMm = parseFloat(box.dataset.widthMm);
  var heightMm = parseFloat(box.dataset.heightMm);
  var minDpi = parseInt(box.dataset.minDpi, 10);

  // The stage: the print area scaled to the box's width (at most 480 px on its long side),
  // with a margin round it so the scaling handles stay in reach at its edges.
  var pad = 12;
  var room = (box.clientWidth || 480) - 2 * pad;
  var scale = Math.min(room / widthMm, 480 / Math.max(widthMm, heightMm));
  var areaW = Math.round(widthMm * scale);
  var areaH = Math.round(heightMm * scale);
  var stage = new Konva.Stage({ container: box, width: areaW + 2 * pad, height: areaH + 2 * pad });
  var layer = new Konva.Layer();
  stage.add(layer);
  layer.add(new Konva.Rect({ x: pad, y: pad, width: areaW, height: areaH, fill: "#ffffff", stroke: "#8a94a6", strokeWidth: 1, dash: [6, 4], listening: false }));
  var picture = null;
  var handles = new Konva.Transformer({
    keepRatio: true,
    rotateEnabled: false,
    enabledAnchors: ["top-left", "top-right", "bottom-left", "bottom-right"],
    boundBoxFunc: function (old, box) { return box.width < 8 || box.height < 8 ? old : box; }
  });
  layer.add(handles);

  function say(text, warn) {
    status.hidden = !text;
    status.textContent = text || "";
    status.classList.toggle("callout--warning", !!warn);
  }

  function update() {
    if (!picture) return;
    var w = picture.width() * picture.scaleX();
    var h = picture.height() * picture.scaleY();
    var placed = { x: (picture.x() - pad) / areaW, y: (picture.y() - pad) / areaH, width: w / areaW, height: h / areaH };
    ["x", "y", "width", "height"].forEach(function (key) { field(key).value = placed[key].toFixed(6); });
    // Effective DPI: the image's pixels over the inches they cover, on the tighter side.
    var img = picture.image();
    var dpi = Math.floor(Math.min(
      img.naturalWidth / (placed.width * widthMm / 25.4),
      img.naturalHeight / (placed.height * heightMm / 25.4)
    ));
    var low = dpi < minDpi;
    say((low ? box.dataset.dpiLow : box.dataset.dpiOk).replace("{dpi}", dpi).replace("{min}", minDpi), low);
  }

  function show(src, placement) {
    var img = new Image();
    img.onload = function () {
      if (picture) picture.destroy();
      var w, x, y;
      if (placement && placement.width > 0) {
        w = placement.width * areaW; x = pad + placement.x * areaW; y = pad + placement.y * areaH;
      } else {  // centred and fitted, as the server does without a placement
        var fit = Math.min(areaW / img.naturalWidth, areaH / img.naturalHeight);
        w = img.naturalWidth * fit; x = pad + (areaW - w) / 2; y = pad + (areaH - img.naturalHeight * fit) / 2;
      }
      var k = w / img.naturalWidth;
      picture = new Konva.Image({ image: img, x: x, y: y, width: img.naturalWidth, height: img.naturalHeight, scaleX: k, scaleY: k, draggable: true, name: "design" });
      layer.add(picture);
      handles.nodes([picture]);
      handles.moveToTop();
      picture.on("dragmove transform dragend transformend", update);
      update();
    };
    img.src = src;
  }

  // From the keyboard: the preview takes the focus (an application: its arrow keys are its own);
  // the arrows move the design by a hundredth of the print area (with Shift, a tenth), + and -
  // scale it about its centre. Each step is saved and checked as a drag is.
  box.tabIndex = 0;
  box.setAttribute("role", "application");
  box.setAttribute("aria-label", box.dataset.label);
  box.setAttribute("aria-describedby", "designer-help dpi-status");
  var arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  box.addEventListener("keydown", function (event) {
    if (!picture || event.ctrlKey || event.metaKey || event.altKey) return;
    var arrow = arrows[event.key];
    var step = event.shiftKey ? 0.1 : 0.01;
    if (arrow) {
      picture.position({ x: picture.x() + arrow[0] * step * areaW, y: picture.y() + arrow[1] * step * areaH });
    } else if (event.key === "+" || event.key === "=" || event.key === "-") {
      var factor = event.key === "-" ? 1 / 1.05 : 1.05;
      var w = picture.width() * picture.scaleX();
      var h = picture.height() * picture.scaleY();
      picture.position({ x: picture.x() + w * (1 - factor) / 2, y: picture.y() + h * (1 - factor) / 2 });
      picture.scale({ x: picture.scaleX() * factor, y: picture.scaleY() * factor });
    } else {
      return;
    }
    event.preventDefault();
    handles.forceUpdate();
    layer.batchDraw();
    update();
  });

  var saved = box.dataset.width ? { x: parseFloat(box.dataset.x), y: parseFloat(box.dataset.y), width: parseFloat(box.dataset.width) } : null;
  if (box.dataset.image) show(box.dataset.image, saved); else say(box.dataset.empty, false);

  // A new upload: read it here (data: URLs are allowed by the page's policy), placed afresh.
  var upload = form.querySelector('input[type="file"][name="upload"]');
  if (upload) upload.addEventListener("change", function () {
    var file = upload.files && upload.files[0];
    if (!file) return;
    form.querySelectorAll('input[name="template"]').forEach(function (radio) { radio.checked = false; });
    var reader = new FileReader();
    reader.onload = function () { show(reader.result, null); };
    reader.readAsDataURL(file);
  });
  form.querySelectorAll('input[name="template"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked) return;
      if (upload) upload.value = "";
      show(radio.dataset.image, null);
    });
  });
})();
