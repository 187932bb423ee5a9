package charts

import (
	"maps"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Values every successful render starts from. The passwords are distinctive so
// the test can prove they appear in Secrets only.
const (
	baseDomain = "sigess.example.it"
	dbURL      = "postgres://sigess_app:app-pw-7f3a@db.example:5432/sigess?sslmode=require"
	adminURL   = "postgres://sigess_owner:owner-pw-91c2@db.example:5432/sigess?sslmode=require"
	redisURL   = "rediss://:redis-pw-5e8d@redis.example:6379/0"
	mailURL    = "smtp://sigess:mail-pw-3b6c@smtp.example:587"
	mailSpool  = "/var/spool/sigess-mail"
	secretKey  = "c2VjcmV0LWtleS0yNGQ5LXRoaXJ0eS10d28tYnl0ZXM=" // base64 of "secret-key-24d9-thirty-two-bytes"
	release    = "t"
	fullname   = "t-sigess" // release "t" + chart "sigess"
)

var passwords = []string{"app-pw-7f3a", "owner-pw-91c2", "redis-pw-5e8d", "mail-pw-3b6c", secretKey}

var (
	setBase  = []string{"baseDomain=" + baseDomain}
	setDB    = []string{"database.url=" + dbURL, "database.adminUrl=" + adminURL}
	setRedis = []string{"redis.url=" + redisURL}
)

func join(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// ---- Kubernetes shapes (only the fields the test reads) ----

type meta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type secretKeyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type envVar struct {
	Name      string  `yaml:"name"`
	Value     *string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef    *secretKeyRef `yaml:"secretKeyRef"`
		ConfigMapKeyRef *secretKeyRef `yaml:"configMapKeyRef"`
	} `yaml:"valueFrom"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env     []envVar `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
	LivenessProbe   *probe `yaml:"livenessProbe"`
	ReadinessProbe  *probe `yaml:"readinessProbe"`
	SecurityContext *struct {
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Capabilities             *struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	Resources map[string]any `yaml:"resources"`
}

type podTemplate struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		ServiceAccountName           string `yaml:"serviceAccountName"`
		AutomountServiceAccountToken *bool  `yaml:"automountServiceAccountToken"`
		RestartPolicy                string `yaml:"restartPolicy"`
		SecurityContext              *struct {
			RunAsNonRoot   *bool `yaml:"runAsNonRoot"`
			SeccompProfile *struct {
				Type string `yaml:"type"`
			} `yaml:"seccompProfile"`
		} `yaml:"securityContext"`
		Containers []container `yaml:"containers"`
		Volumes    []volume    `yaml:"volumes"`
	} `yaml:"spec"`
}

type volume struct {
	Name     string `yaml:"name"`
	EmptyDir *struct {
		SizeLimit string `yaml:"sizeLimit"`
	} `yaml:"emptyDir"`
}

// workload is a Deployment or a Job.
type workload struct {
	Kind     string `yaml:"kind"`
	Metadata meta   `yaml:"metadata"`
	Spec     struct {
		Replicas *int `yaml:"replicas"`
		Selector *struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template podTemplate `yaml:"template"`
	} `yaml:"spec"`
}

type service struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		Type  string `yaml:"type"`
		Ports []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
		Selector map[string]string `yaml:"selector"`
	} `yaml:"spec"`
}

type ingress struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		IngressClassName string `yaml:"ingressClassName"`
		TLS              []struct {
			Hosts      []string `yaml:"hosts"`
			SecretName string   `yaml:"secretName"`
		} `yaml:"tls"`
		Rules []struct {
			Host string `yaml:"host"`
			HTTP struct {
				Paths []struct {
					Path     string `yaml:"path"`
					PathType string `yaml:"pathType"`
					Backend  struct {
						Service struct {
							Name string `yaml:"name"`
							Port struct {
								Name   string `yaml:"name"`
								Number int    `yaml:"number"`
							} `yaml:"port"`
						} `yaml:"service"`
					} `yaml:"backend"`
				} `yaml:"paths"`
			} `yaml:"http"`
		} `yaml:"rules"`
	} `yaml:"spec"`
}

type secret struct {
	Metadata   meta              `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
}

type configMap struct {
	Metadata meta              `yaml:"metadata"`
	Data     map[string]string `yaml:"data"`
}

// ---- rendering ----

type doc struct {
	Kind     string `yaml:"kind"`
	Metadata meta   `yaml:"metadata"`
	node     yaml.Node
	raw      string
}

type rendered struct {
	docs []doc
}

func TestChartRenders(t *testing.T) {
	helmPath(t) // fail once, clearly, when helm has not been built
	defaults := expect{serverReplicas: 2, workerReplicas: 1, pdb: true, publicURL: "http://" + baseDomain}
	tests := []struct {
		name    string
		set     []string
		wantErr string // substring of helm's error; empty for a successful render
		want    expect
		check   func(t *testing.T, r rendered)
	}{
		{
			name: "chart-created secrets",
			set:  join(setBase, setDB, setRedis),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if got, want := secretData(t, r, fullname), map[string]string{"database-url": dbURL, "redis-url": redisURL}; !maps.Equal(got, want) {
					t.Errorf("Secret %s = %v, want %v", fullname, got, want)
				}
				if got := secretData(t, r, fullname+"-migrate"); got["database-admin-url"] != adminURL || got["database-url"] != dbURL {
					t.Errorf("migration Secret = %v", got)
				}
			},
		},
		{
			name: "existing secrets",
			set:  join(setBase, []string{"database.existingSecret=sigess-db", "redis.existingSecret=sigess-redis"}),
			want: func() expect { e := defaults; e.existingDB, e.existingRedis = "sigess-db", "sigess-redis"; return e }(),
			check: func(t *testing.T, r rendered) {
				if s := r.all("Secret"); len(s) != 0 {
					t.Errorf("with existingSecret set the chart must create no Secret, got %d (%s)", len(s), s[0].Metadata.Name)
				}
			},
		},
		{
			name: "existing database secret, redis url",
			set:  join(setBase, setRedis, []string{"database.existingSecret=sigess-db"}),
			want: func() expect { e := defaults; e.existingDB = "sigess-db"; return e }(),
			check: func(t *testing.T, r rendered) {
				if s := r.all("Secret"); len(s) != 1 {
					t.Fatalf("want only the redis Secret, got %d Secrets", len(s))
				}
				if got := secretData(t, r, fullname); !maps.Equal(got, map[string]string{"redis-url": redisURL}) {
					t.Errorf("Secret %s = %v, want only redis-url", fullname, got)
				}
			},
		},
		{
			name: "tls, ingress class and replicas",
			set: join(setBase, setDB, setRedis, []string{
				"ingress.className=nginx", "ingress.tls.enabled=true", "ingress.tls.secretName=sigess-wildcard-tls",
				"server.replicaCount=3", "worker.replicaCount=2",
			}),
			want: expect{serverReplicas: 3, workerReplicas: 2, pdb: true, tls: "sigess-wildcard-tls", className: "nginx", publicURL: "https://" + baseDomain},
		},
		{
			name: "single server replica has no PodDisruptionBudget",
			set:  join(setBase, setDB, setRedis, []string{"server.replicaCount=1"}),
			want: func() expect { e := defaults; e.serverReplicas, e.pdb = 1, false; return e }(),
		},
		{
			name: "trusted proxies rendered comma-joined",
			set:  join(setBase, setDB, setRedis, []string{"config.trustedProxies={10.244.0.0/16, 192.168.1.10,fd00::/8}"}),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if got, want := configMapData(t, r)["SIGESS_HTTP_TRUSTED_PROXIES"], "10.244.0.0/16,192.168.1.10,fd00::/8"; got != want {
					t.Errorf("SIGESS_HTTP_TRUSTED_PROXIES = %q, want %q", got, want)
				}
			},
		},
		{
			name: "no trusted proxies by default",
			set:  join(setBase, setDB, setRedis),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if v, ok := configMapData(t, r)["SIGESS_HTTP_TRUSTED_PROXIES"]; ok {
					t.Errorf("SIGESS_HTTP_TRUSTED_PROXIES = %q, want unset (the app trusts none)", v)
				}
			},
		},
		{
			name:    "bad trusted proxy",
			set:     join(setBase, setDB, setRedis, []string{"config.trustedProxies={ingress-nginx}"}),
			wantErr: `config.trustedProxies: "ingress-nginx" is not an IP address or CIDR`,
		},
		{
			name:    "extraEnv cannot override trusted proxies",
			set:     join(setBase, setDB, setRedis, []string{"config.extraEnv.SIGESS_HTTP_TRUSTED_PROXIES=0.0.0.0/0"}),
			wantErr: "config.extraEnv.SIGESS_HTTP_TRUSTED_PROXIES is set by the chart",
		},
		{
			name:    "extraEnv cannot set the mail URL",
			set:     join(setBase, setDB, setRedis, []string{"config.extraEnv.SIGESS_MAIL_URL=smtp://x:y@h:25"}),
			wantErr: "config.extraEnv.SIGESS_MAIL_URL is set by the chart",
		},
		{
			name: "mail url in the chart Secret reaches server and worker",
			set:  join(setBase, setDB, setRedis, []string{"mail.url=" + mailURL, "mail.from=Comune di Esempio <noreply@comune.example.it>"}),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if got := secretData(t, r, fullname)["mail-url"]; got != mailURL {
					t.Errorf("Secret %s mail-url = %q, want %q", fullname, got, mailURL)
				}
				checkMailFromSecret(t, r, fullname)
				cm := configMapData(t, r)
				if v, ok := cm["SIGESS_MAIL_URL"]; ok {
					t.Errorf("ConfigMap holds SIGESS_MAIL_URL = %q", v)
				}
				if got, want := cm["SIGESS_MAIL_FROM"], "Comune di Esempio <noreply@comune.example.it>"; got != want {
					t.Errorf("SIGESS_MAIL_FROM = %q, want %q", got, want)
				}
			},
		},
		{
			name: "mail url alone creates the chart Secret",
			set: join(setBase, []string{"database.existingSecret=sigess-db", "redis.existingSecret=sigess-redis",
				"mail.url=" + mailURL}),
			want: func() expect { e := defaults; e.existingDB, e.existingRedis = "sigess-db", "sigess-redis"; return e }(),
			check: func(t *testing.T, r rendered) {
				if got := secretData(t, r, fullname); !maps.Equal(got, map[string]string{"mail-url": mailURL}) {
					t.Errorf("Secret %s = %v, want only mail-url", fullname, got)
				}
				checkMailFromSecret(t, r, fullname)
			},
		},
		{
			name: "existing mail secret",
			set:  join(setBase, setDB, setRedis, []string{"mail.existingSecret=sigess-mail"}),
			want: func() expect { e := defaults; e.existingMail = "sigess-mail"; return e }(),
			check: func(t *testing.T, r rendered) {
				if got := secretData(t, r, fullname); !maps.Equal(got, map[string]string{"database-url": dbURL, "redis-url": redisURL}) {
					t.Errorf("Secret %s = %v, want no mail-url", fullname, got)
				}
				checkMailFromSecret(t, r, "sigess-mail")
			},
		},
		{
			name: "existing mail secret wins over mail.url",
			set: join(setBase, []string{"database.existingSecret=sigess-db", "redis.existingSecret=sigess-redis",
				"mail.existingSecret=sigess-mail", "mail.url=" + mailURL}),
			want: func() expect {
				e := defaults
				e.existingDB, e.existingRedis, e.existingMail = "sigess-db", "sigess-redis", "sigess-mail"
				return e
			}(),
			check: func(t *testing.T, r rendered) {
				if s := r.all("Secret"); len(s) != 0 {
					t.Errorf("with every existingSecret set the chart must create no Secret, got %s", s[0].Metadata.Name)
				}
				checkMailFromSecret(t, r, "sigess-mail")
			},
		},
		{
			name: "no mail configured: dir: spool on an emptyDir",
			set:  join(setBase, setDB, setRedis),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if _, ok := secretData(t, r, fullname)["mail-url"]; ok {
					t.Errorf("Secret %s holds mail-url although no mail URL was given", fullname)
				}
				for _, arg := range []string{"serve", "worker"} {
					_, c := deployment(t, r, arg)
					e, _ := envNamed(c, "SIGESS_MAIL_URL")
					if e.Value == nil || *e.Value != "dir:"+mailSpool {
						t.Errorf("%s: SIGESS_MAIL_URL = %s, want literal dir:%s", arg, describe(e), mailSpool)
					}
				}
				w, c := deployment(t, r, "worker")
				if v, ok := emptyDirAt(w.Spec.Template, c, mailSpool); !ok {
					t.Errorf("worker: no writable emptyDir at %s", mailSpool)
				} else if v.EmptyDir.SizeLimit != "64Mi" {
					t.Errorf("worker: mail spool sizeLimit %q, want 64Mi", v.EmptyDir.SizeLimit)
				}
				if got, want := configMapData(t, r)["SIGESS_MAIL_FROM"], "SIGeSS <noreply@"+baseDomain+">"; got != want {
					t.Errorf("SIGESS_MAIL_FROM = %q, want %q", got, want)
				}
			},
		},
		{
			name:    "bad mail url",
			set:     join(setBase, setDB, setRedis, []string{"mail.url=mail.example:25"}),
			wantErr: "mail.url must be smtp://",
		},
		{
			name: "secret key in the chart Secret reaches server and worker",
			set:  join(setBase, setDB, setRedis, []string{"security.secretKey=" + secretKey}),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				want := map[string]string{"database-url": dbURL, "redis-url": redisURL, "secret-key": secretKey}
				if got := secretData(t, r, fullname); !maps.Equal(got, want) {
					t.Errorf("Secret %s = %v, want %v", fullname, got, want)
				}
				checkSecretKey(t, r, fullname)
			},
		},
		{
			name: "secret key alone creates the chart Secret",
			set: join(setBase, []string{"database.existingSecret=sigess-db", "redis.existingSecret=sigess-redis",
				"security.secretKey=" + secretKey}),
			want: func() expect { e := defaults; e.existingDB, e.existingRedis = "sigess-db", "sigess-redis"; return e }(),
			check: func(t *testing.T, r rendered) {
				if got := secretData(t, r, fullname); !maps.Equal(got, map[string]string{"secret-key": secretKey}) {
					t.Errorf("Secret %s = %v, want only secret-key", fullname, got)
				}
				checkSecretKey(t, r, fullname)
			},
		},
		{
			name: "existing secret-key Secret wins over security.secretKey",
			set:  join(setBase, setDB, setRedis, []string{"security.existingSecret=sigess-key", "security.secretKey=" + secretKey}),
			want: defaults,
			check: func(t *testing.T, r rendered) {
				if got := secretData(t, r, fullname); !maps.Equal(got, map[string]string{"database-url": dbURL, "redis-url": redisURL}) {
					t.Errorf("Secret %s = %v, want no secret-key", fullname, got)
				}
				checkSecretKey(t, r, "sigess-key")
			},
		},
		{
			name:  "no secret key: secrets stay plain",
			set:   join(setBase, setDB, setRedis),
			want:  defaults,
			check: func(t *testing.T, r rendered) { checkSecretKey(t, r, "") },
		},
		{
			name:    "secret key of the wrong size",
			set:     join(setBase, setDB, setRedis, []string{"security.secretKey=c2hvcnQ="}),
			wantErr: "security.secretKey must be the base64 of 32 random bytes",
		},
		{
			name:    "extraEnv cannot set the secret key",
			set:     join(setBase, setDB, setRedis, []string{"config.extraEnv.SIGESS_SECRET_KEY=" + secretKey}),
			wantErr: "config.extraEnv.SIGESS_SECRET_KEY is set by the chart",
		},
		{
			name:    "no database url nor secret",
			set:     join(setBase, setRedis),
			wantErr: "database.url is required",
		},
		{
			name:    "no database admin url",
			set:     join(setBase, setRedis, []string{"database.url=" + dbURL}),
			wantErr: "database.adminUrl is required",
		},
		{
			name:    "no redis url nor secret",
			set:     join(setBase, setDB),
			wantErr: "redis.url is required",
		},
		{
			name:    "no base domain",
			set:     join(setDB, setRedis),
			wantErr: "baseDomain is required",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := render(t, tc.set)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("helm template succeeded, want an error containing %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("helm template error %q does not contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("helm template: %v", err)
			}
			checkCommon(t, r, tc.want)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestChartLint(t *testing.T) {
	for _, set := range [][]string{
		join(setBase, setDB, setRedis),
		join(setBase, []string{"database.existingSecret=sigess-db", "redis.existingSecret=sigess-redis", "ingress.tls.enabled=true"}),
		join(setBase, setDB, setRedis, []string{"mail.url=" + mailURL, "config.trustedProxies={10.244.0.0/16}",
			"security.secretKey=" + secretKey}),
	} {
		out, err := runHelm(t, append([]string{"lint", "--strict", "./sigess"}, setArgs(set)...)...)
		if err != nil {
			t.Fatalf("helm lint %v: %v\n%s", set, err, out)
		}
	}
}
