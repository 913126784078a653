// The API reference page: the vendored Swagger UI (static/vendor/swagger-ui) rendering the sandbox's own
// OpenAPI document. Nothing is fetched from elsewhere: the validator badge (validator.swagger.io) is off.

const root = document.getElementById("swagger-ui");

window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  validatorUrl: null,
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
  displayOperationId: true,
  filter: true,
});
