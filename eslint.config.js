// eslint for the page scripts in gis_app/static/js: browser globals plus the libraries the pages load.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["gis_app/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", jQuery: "readonly", $: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none" }],
      "no-eval": "error",
      "no-implied-eval": "error",
    },
  },
];
