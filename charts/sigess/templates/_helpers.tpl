{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "sigess.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: "<release>-<chart>", or the release name when it
already contains the chart name. Truncated to 63 characters.
*/}}
{{- define "sigess.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"<fullname>-<suffix>", with the fullname shortened so the result stays
within 63 characters. Call with (dict "ctx" $ "suffix" "server").
*/}}
{{- define "sigess.suffixedName" -}}
{{- $max := sub 62 (len .suffix) | int }}
{{- printf "%s-%s" (include "sigess.fullname" .ctx | trunc $max | trimSuffix "-") .suffix }}
{{- end }}

{{/*
"name-version" for the helm.sh/chart label.
*/}}
{{- define "sigess.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Standard labels for every resource.
*/}}
{{- define "sigess.labels" -}}
helm.sh/chart: {{ include "sigess.chart" . }}
{{ include "sigess.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sigess
{{- end }}

{{/*
Selector labels (stable across upgrades: never add version-like values here).
*/}}
{{- define "sigess.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sigess.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels and selector labels of one component. Call with (dict "ctx" $ "component" "server").
*/}}
{{- define "sigess.componentLabels" -}}
{{ include "sigess.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "sigess.componentSelectorLabels" -}}
{{ include "sigess.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Container image reference: repository@digest, or repository:tag (tag defaults to appVersion).
*/}}
{{- define "sigess.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
ServiceAccount used by the server and worker pods.
*/}}
{{- define "sigess.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sigess.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ServiceAccount used by the migration hook. Hooks run before the release's
ordinary resources exist, so when the chart creates the ServiceAccount the
migration Job gets its own hook-scoped one.
*/}}
{{- define "sigess.migrationServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "sigess.suffixedName" (dict "ctx" . "suffix" "migrate") }}
{{- else }}
{{- include "sigess.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/*
Secret holding database-url (server and worker).
*/}}
{{- define "sigess.databaseSecretName" -}}
{{- default (include "sigess.fullname" .) .Values.database.existingSecret }}
{{- end }}

{{/*
Secret holding redis-url.
*/}}
{{- define "sigess.redisSecretName" -}}
{{- default (include "sigess.fullname" .) .Values.redis.existingSecret }}
{{- end }}

{{/*
Secret holding database-url and database-admin-url for the migration Job: the
existing Secret, or a hook-scoped one created just before the Job (the
release's ordinary Secret does not exist yet during pre-install).
*/}}
{{- define "sigess.migrationSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- include "sigess.suffixedName" (dict "ctx" . "suffix" "migrate") }}
{{- end }}
{{- end }}

{{/*
Validated base domain.
*/}}
{{- define "sigess.baseDomain" -}}
{{- $d := required "baseDomain is required: set baseDomain to the domain tenants are served under, e.g. --set baseDomain=sigess.example.it" .Values.baseDomain }}
{{- if not (regexMatch "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$" $d) }}
{{- fail (printf "baseDomain %q must be a lowercase domain name without scheme, port or wildcard, e.g. sigess.example.it" $d) }}
{{- end }}
{{- $d }}
{{- end }}

{{/*
Public URL (SIGESS_PUBLIC_URL).
*/}}
{{- define "sigess.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.tls.enabled }}
{{- printf "https://%s" (include "sigess.baseDomain" .) }}
{{- else }}
{{- printf "http://%s" (include "sigess.baseDomain" .) }}
{{- end }}
{{- end }}

{{/*
Runtime database URL, required when no existing Secret is named.
*/}}
{{- define "sigess.databaseUrl" -}}
{{- required "database.url is required: set database.url (the runtime login role URL, plus database.adminUrl) or database.existingSecret (a Secret with keys database-url and database-admin-url)" .Values.database.url }}
{{- end }}

{{- define "sigess.databaseAdminUrl" -}}
{{- required "database.adminUrl is required: set database.adminUrl (the owner role URL used by `sigess migrate`) or database.existingSecret (a Secret with keys database-url and database-admin-url)" .Values.database.adminUrl }}
{{- end }}

{{- define "sigess.redisUrl" -}}
{{- required "redis.url is required: set redis.url or redis.existingSecret (a Secret with key redis-url)" .Values.redis.url }}
{{- end }}

{{/*
Trusted reverse proxies (SIGESS_HTTP_TRUSTED_PROXIES), comma-joined; empty when
none. Accepts a list or, from --set, a comma-separated string.
*/}}
{{- define "sigess.trustedProxies" -}}
{{- $v := .Values.config.trustedProxies | default list }}
{{- if kindIs "string" $v }}
{{- $v = splitList "," $v }}
{{- end }}
{{- $out := list }}
{{- range $v }}
{{- $p := toString . | trim }}
{{- if $p }}
{{- if not (regexMatch "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$" $p) }}
{{- fail (printf "config.trustedProxies: %q is not an IP address or CIDR, e.g. 10.244.0.0/16" $p) }}
{{- end }}
{{- $out = append $out $p }}
{{- end }}
{{- end }}
{{- join "," $out }}
{{- end }}

{{/*
Mail: "true" (non-empty) when a mail URL comes from a Secret, i.e.
mail.existingSecret or mail.url is set; empty otherwise.
*/}}
{{- define "sigess.mailConfigured" -}}
{{- if or .Values.mail.existingSecret .Values.mail.url }}true{{ end }}
{{- end }}

{{/*
"true" when the chart's own Secret holds mail-url (mail.url given, no existing Secret).
*/}}
{{- define "sigess.mailInChartSecret" -}}
{{- if and .Values.mail.url (not .Values.mail.existingSecret) }}true{{ end }}
{{- end }}

{{- define "sigess.mailSecretName" -}}
{{- default (include "sigess.fullname" .) .Values.mail.existingSecret }}
{{- end }}

{{/*
Folder of the worker's emptyDir that receives .eml files when no mail URL is given.
*/}}
{{- define "sigess.mailSpoolPath" -}}
/var/spool/sigess-mail
{{- end }}

{{/*
"true" when the chart's own Secret holds secret-key (security.secretKey given, no existing Secret).
*/}}
{{- define "sigess.secretKeyInChartSecret" -}}
{{- if and .Values.security.secretKey (not .Values.security.existingSecret) }}true{{ end }}
{{- end }}

{{- define "sigess.mailFrom" -}}
{{- .Values.mail.from | default (printf "SIGeSS <noreply@%s>" (include "sigess.baseDomain" .)) }}
{{- end }}

{{/*
SIGESS_MAIL_URL for the server and worker: from the mail Secret, or the dir:
spool default. The server never sends but validates the URL at start.
*/}}
{{- define "sigess.mailUrlEnv" -}}
- name: SIGESS_MAIL_URL
{{- if include "sigess.mailConfigured" . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "sigess.mailSecretName" . }}
      key: mail-url
{{- else }}
  value: {{ printf "dir:%s" (include "sigess.mailSpoolPath" .) | quote }}
{{- end }}
{{- end }}

{{/*
Checks run once per render (included from configmap.yaml).
*/}}
{{- define "sigess.validate" -}}
{{- $_ := include "sigess.baseDomain" . }}
{{- if not .Values.database.existingSecret }}
{{- $_ := include "sigess.databaseUrl" . }}
{{- if .Values.migrations.enabled }}
{{- $_ := include "sigess.databaseAdminUrl" . }}
{{- end }}
{{- end }}
{{- if not .Values.redis.existingSecret }}
{{- $_ := include "sigess.redisUrl" . }}
{{- end }}
{{- if not (has (toString .Values.config.logLevel) (list "debug" "info" "warn" "error")) }}
{{- fail (printf "config.logLevel %q must be one of debug, info, warn, error" (toString .Values.config.logLevel)) }}
{{- end }}
{{- if include "sigess.mailInChartSecret" . }}
{{- if not (regexMatch "^(smtps?://[^/?#]+|dir:.+)" .Values.mail.url) }}
{{- fail "mail.url must be smtp://USER:PASSWORD@host:587, smtps://USER:PASSWORD@host:465 or dir:PATH" }}
{{- end }}
{{- end }}
{{- if include "sigess.secretKeyInChartSecret" . }}
{{- if not (regexMatch "^[A-Za-z0-9+/_-]{43}=?$" (toString .Values.security.secretKey)) }}
{{- fail "security.secretKey must be the base64 of 32 random bytes: openssl rand -base64 32" }}
{{- end }}
{{- end }}
{{- $_ := include "sigess.trustedProxies" . }}
{{- $c := int .Values.worker.concurrency }}
{{- if or (lt $c 1) (gt $c 1000) }}
{{- fail (printf "worker.concurrency %v must be between 1 and 1000" .Values.worker.concurrency) }}
{{- end }}
{{- end }}

{{/*
Environment variables read from Secrets (never literal values). Without a
secret key SIGESS_SECRET_KEY is left unset and secrets are stored plain.
*/}}
{{- define "sigess.secretEnv" -}}
- name: SIGESS_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "sigess.databaseSecretName" . }}
      key: database-url
- name: SIGESS_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "sigess.redisSecretName" . }}
      key: redis-url
{{- if or .Values.security.existingSecret .Values.security.secretKey }}
- name: SIGESS_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ default (include "sigess.fullname" .) .Values.security.existingSecret }}
      key: secret-key
{{- end }}
{{- end }}

{{/*
Shared volume for the writable /tmp (the root filesystem is read-only).
*/}}
{{- define "sigess.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{- define "sigess.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}
