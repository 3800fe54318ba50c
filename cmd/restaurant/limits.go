package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// limits are the bounds one client meets, so that one machine cannot stall
// or flood the public site (see README, Limits).
type limits struct {
	bodyTimeout, writeTimeout   time.Duration
	connsPerAddress             int
	livePerAddress, liveSockets int
}

// limitFlags adds the limits' flags to fs, each defaulting from its
// environment variable.
func limitFlags(fs *flag.FlagSet, getenv func(string) string) (*limits, error) {
	l := &limits{}
	var err error
	if l.bodyTimeout, err = envDuration(getenv, "BODY_TIMEOUT", "15s"); err != nil {
		return nil, err
	}
	if l.writeTimeout, err = envDuration(getenv, "WRITE_TIMEOUT", "30s"); err != nil {
		return nil, err
	}
	if l.connsPerAddress, err = envInt(getenv, "MAX_CONNS_PER_ADDRESS", 128); err != nil {
		return nil, err
	}
	if l.livePerAddress, err = envInt(getenv, "LIVE_SOCKETS_PER_ADDRESS", 50); err != nil {
		return nil, err
	}
	if l.liveSockets, err = envInt(getenv, "LIVE_SOCKETS_MAX", 5000); err != nil {
		return nil, err
	}
	fs.DurationVar(&l.bodyTimeout, "body-timeout", l.bodyTimeout,
		"a request's body must arrive within this, from its headers; live sockets excepted (BODY_TIMEOUT)")
	fs.DurationVar(&l.writeTimeout, "write-timeout", l.writeTimeout,
		"an answer must be written within this, from the request's headers; live sockets excepted (WRITE_TIMEOUT)")
	fs.IntVar(&l.connsPerAddress, "max-conns-per-address", l.connsPerAddress,
		"connections one client address may hold open; 0: no cap, e.g. behind a proxy that caps them (MAX_CONNS_PER_ADDRESS)")
	fs.IntVar(&l.livePerAddress, "live-sockets-per-address", l.livePerAddress,
		"live sockets guests at one address may hold open; signed-in staff screens are not counted (LIVE_SOCKETS_PER_ADDRESS)")
	fs.IntVar(&l.liveSockets, "live-sockets-max", l.liveSockets,
		"live sockets this process holds open in all, staff screens included (LIVE_SOCKETS_MAX)")
	return l, nil
}

// check refuses limits that would turn every client away.
func (l *limits) check() error {
	switch {
	case l.bodyTimeout <= 0:
		return fmt.Errorf("-body-timeout %s: give a positive duration", l.bodyTimeout)
	case l.writeTimeout <= 0:
		return fmt.Errorf("-write-timeout %s: give a positive duration", l.writeTimeout)
	case l.connsPerAddress < 0:
		return fmt.Errorf("-max-conns-per-address %d: give 0 (no cap) or more", l.connsPerAddress)
	case l.livePerAddress < 1:
		return fmt.Errorf("-live-sockets-per-address %d: give 1 or more", l.livePerAddress)
	case l.liveSockets < 1:
		return fmt.Errorf("-live-sockets-max %d: give 1 or more", l.liveSockets)
	}
	return nil
}

// envDuration reads a duration from the environment, or the fallback.
func envDuration(getenv func(string) string, key, fallback string) (time.Duration, error) {
	d, err := time.ParseDuration(envOr(getenv, key, fallback))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return d, nil
}

// envInt reads a count from the environment, or the fallback.
func envInt(getenv func(string) string, key string, fallback int) (int, error) {
	v := getenv(key)
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return n, nil
}
