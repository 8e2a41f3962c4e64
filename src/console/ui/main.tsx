/**
 * The web console's entry: the styles (uPlot's, then ours) and the app,
 * rendered into #app. Built by scripts/build-console.mjs into the Worker.
 */
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app";

const root = document.getElementById("app");
if (root !== null) {
  root.textContent = "";
  render(<App />, root);
}
