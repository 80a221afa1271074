// Players on a mentor's page load only when the visitor presses play: until then the
// page asks nothing of YouTube, SoundCloud, Bandcamp or Spotify. Without this script
// the play control is a plain link to the track.
(function () {
  "use strict";

  var EMBED = {
    youtube: function (id) {
      return "https://www.youtube-nocookie.com/embed/" + encodeURIComponent(id) + "?autoplay=1";
    },
    soundcloud: function (id) {
      return "https://w.soundcloud.com/player/?url=" +
        encodeURIComponent("https://soundcloud.com/" + id) + "&auto_play=true";
    },
    bandcamp: function (id) {
      return "https://bandcamp.com/EmbeddedPlayer/" + id + "/size=large/tracklist=false/transparent=true/";
    },
    spotify: function (id) {
      return "https://open.spotify.com/embed/" + id;
    }
  };
  var HEIGHT = { youtube: 315, soundcloud: 166, bandcamp: 120, spotify: 152 };

  function upgrade(player) {
    var kind = player.getAttribute("data-player");
    var id = player.getAttribute("data-player-id");
    var name = player.getAttribute("data-player-name") || kind;
    var link = player.querySelector(".player__play");
    if (!EMBED[kind] || !id || !link) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.innerHTML = link.innerHTML;
    link.replaceWith(button);
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.className = "player__frame player__frame--" + kind;
      frame.title = name + " player";
      frame.height = String(HEIGHT[kind]);
      frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
      frame.setAttribute("allowfullscreen", "");
      // Our pages send no referrer; YouTube's player refuses to start without one.
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.src = EMBED[kind](id);
      button.replaceWith(frame);
      frame.focus();
    });
  }

  document.querySelectorAll(".player[data-player]").forEach(upgrade);
})();
