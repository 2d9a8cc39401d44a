package main

import "context"

func runServe(ctx context.Context, e *env, args []string) error   { return nil }
func runDemo(ctx context.Context, e *env, args []string) error    { return nil }
func runJobList(ctx context.Context, e *env, args []string) error { return nil }
func runJobShow(ctx context.Context, e *env, args []string) error { return nil }
