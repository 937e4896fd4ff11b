{{/* The image both the operator and the agent run: repository@digest when a digest pins it,
else repository:tag (the chart's appVersion by default). */}}
{{- define "csp-operator.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Labels of every object the chart creates; `component` is csp-operator or csp-agent. */}}
{{- define "csp-operator.labels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/part-of: csp-operator
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version | replace "+" "_" }}
{{- end -}}
