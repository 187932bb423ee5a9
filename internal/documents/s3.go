package documents

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sigess/sigess/internal/derrors"
)

// S3Config names an S3-compatible bucket (AWS, MinIO, Ceph…).
type S3Config struct {
	Endpoint  string // host[:port], without scheme
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	Insecure  bool // plain HTTP, for a local server
}

// S3 stores documents as objects of one bucket, addressed by path (which
// every S3-compatible server speaks).
type S3 struct {
	client *minio.Client
	bucket string
}

// NewS3 returns the storage of cfg's bucket; it does not contact the server.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, fmt.Errorf("documents.NewS3(%s/%s): endpoint and bucket are required", cfg.Endpoint, cfg.Bucket)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       !cfg.Insecure,
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("documents.NewS3(%s/%s): %w", cfg.Endpoint, cfg.Bucket, err)
	}
	return &S3{client: c, bucket: cfg.Bucket}, nil
}

// Put uploads the bytes as one object; the server makes it visible only
// once whole.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, []byte, error) {
	if err := checkKey(key); err != nil {
		return 0, nil, fmt.Errorf("documents.S3.Put: %w", err)
	}
	h := sha256.New()
	info, err := s.client.PutObject(ctx, s.bucket, key, io.TeeReader(r, h), -1,
		minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: 16 << 20,
			// No aws-chunked streaming signature: not every S3-compatible server decodes it.
			DisableContentSha256: true})
	if err != nil {
		return 0, nil, fmt.Errorf("documents.S3.Put(%s): %w", key, err)
	}
	return info.Size, h.Sum(nil), nil
}

// Open reads the object back.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("documents.S3.Open: %w", err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat() // GetObject is lazy: ask now, so a missing key is an error here
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		if er := minio.ToErrorResponse(err); er.Code == "NoSuchKey" || er.StatusCode == 404 {
			return nil, fmt.Errorf("documents.S3.Open(%s): %w", key, derrors.ErrNotFound)
		}
		return nil, fmt.Errorf("documents.S3.Open(%s): %w", key, err)
	}
	return obj, nil
}
