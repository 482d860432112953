package cli

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/trail/asn"
)

// asnEnv names IP→ASN database files when --asn-db is not given, separated as PATH is.
const asnEnv = "ACCOUNTGUARD_ASN_DB"

func (f *trailFlags) addASN(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.asnDB, "asn-db", nil, "offline IP→ASN database for the new-network detector: iptoasn.com's ip2asn-v4.tsv, ip2asn-v6.tsv or ip2asn-combined.tsv (gzipped or not) or MaxMind GeoLite2-ASN.mmdb (repeatable; default $"+asnEnv+"; without one, a network is a /24 or /48)")
}

// networks loads the ASN database named by --asn-db or the environment; nil without one.
func (f *trailFlags) networks() (func(ip string) (key, label string), error) {
	paths, from := f.asnDB, "--asn-db"
	if len(paths) == 0 {
		paths, from = filepath.SplitList(os.Getenv(asnEnv)), asnEnv
	}
	var keep []string
	for _, p := range paths {
		if p != "" {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	// The database lives as long as the command: MaxMind files stay mapped until exit.
	db, err := asn.Open(keep...)
	if err != nil {
		return nil, usageErr("%s: %v", from, err)
	}
	slog.Debug("ASN database loaded", "files", keep, "ranges", db.Len())
	return db.Network, nil
}
