// Suggests cities as the person types. Without this script the "Find city" button
// lists the matches instead, so the form works either way.
(function () {
  "use strict";

  function enhance(root) {
    var input = root.querySelector(".place-field__input");
    var hidden = root.querySelector("[data-place-id]");
    if (!input || !hidden) return;
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "place-field__suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matching cities");
    list.hidden = true;
    input.parentNode.insertAdjacentElement("afterend", list);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var results = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var city = results[index];
      if (!city) return;
      input.value = city.label;
      hidden.value = String(city.id);
      close();
      status.textContent = city.label + " chosen.";
    }

    function render() {
      list.textContent = "";
      results.forEach(function (city, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "place-field__option";
        option.textContent = city.label;
        var population = document.createElement("span");
        population.className = "place-field__population";
        population.textContent = " · " + city.population.toLocaleString() + " people";
        option.appendChild(population);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input
          choose(i);
        });
        list.appendChild(option);
      });
      var open = results.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      status.textContent = open ? results.length + " cities found. Use the arrow keys to choose."
                                : "No city found.";
      active = -1;
    }

    function search() {
      var query = input.value.trim();
      var ticket = ++latest;
      if (query.length < 2) { results = []; close(); return; }
      fetch("/places/search?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (ticket !== latest) return; // an older answer arriving late
          results = data.results || [];
          render();
        })
        .catch(function () { /* the Find city button still works */ });
    }

    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && results.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight((active + 1) % results.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? results.length - 1 : active - 1);
      } else if (event.key === "Enter" && open) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("[data-place-search]").forEach(enhance);
})();
