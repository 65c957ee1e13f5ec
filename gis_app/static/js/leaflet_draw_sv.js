// Leaflet.draw's texts in Swedish (the walk planning map): loaded after leaflet.draw.js, before the map's script.
(function () {
  "use strict";
  if (!window.L || !L.drawLocal) { return; }
  var draw = L.drawLocal.draw, edit = L.drawLocal.edit;
  draw.toolbar.actions = {title: "Avbryt ritandet", text: "Avbryt"};
  draw.toolbar.finish = {title: "Avsluta ritandet", text: "Klar"};
  draw.toolbar.undo = {title: "Ta bort den senast ritade punkten", text: "Ta bort sista punkten"};
  draw.toolbar.buttons = {polyline: "Rita rutten", polygon: "Välj platser inom ett ritat område",
                          rectangle: "Välj platser inom en rektangel", circle: "Rita en cirkel",
                          marker: "Sätt en markör", circlemarker: "Sätt en cirkelmarkör"};
  draw.handlers.circle = {tooltip: {start: "Klicka och dra för att rita en cirkel."}, radius: "Radie"};
  draw.handlers.circlemarker = {tooltip: {start: "Klicka på kartan för att sätta en cirkelmarkör."}};
  draw.handlers.marker = {tooltip: {start: "Klicka på kartan för att sätta en markör."}};
  draw.handlers.polygon = {tooltip: {start: "Klicka för att börja rita området.",
                                     cont: "Klicka för att fortsätta rita området.",
                                     end: "Klicka på första punkten för att stänga området."}};
  draw.handlers.polyline = {error: "<strong>Fel:</strong> linjerna får inte korsa varandra!",
                            tooltip: {start: "Klicka för att börja rita linjen.",
                                      cont: "Klicka för att fortsätta rita linjen.",
                                      end: "Klicka på sista punkten för att avsluta linjen."}};
  draw.handlers.rectangle = {tooltip: {start: "Klicka och dra för att rita en rektangel."}};
  draw.handlers.simpleshape = {tooltip: {end: "Släpp musknappen för att avsluta."}};
  edit.toolbar.actions = {save: {title: "Spara ändringarna", text: "Spara"},
                          cancel: {title: "Avbryt redigeringen och släng ändringarna", text: "Avbryt"},
                          clearAll: {title: "Rensa alla lager", text: "Rensa allt"}};
  edit.toolbar.buttons = {edit: "Redigera rutten", editDisabled: "Ingen rutt att redigera",
                          remove: "Ta bort", removeDisabled: "Inget att ta bort"};
  edit.handlers.edit = {tooltip: {text: "Dra i handtagen för att ändra rutten.",
                                  subtext: "Klicka på Avbryt för att ångra ändringarna."}};
  edit.handlers.remove = {tooltip: {text: "Klicka på ett objekt för att ta bort det."}};
})();
