package awsx

import (
	"errors"

	"github.com/aws/smithy-go"
)

// ErrorCode returns the AWS error code of err ("AccessDenied", "NoSuchEntity" …) or "".
func ErrorCode(err error) string {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return ae.ErrorCode()
	}
	return ""
}

// IsAccessDenied reports whether err is AWS refusing the call for lack of permission.
func IsAccessDenied(err error) bool {
	switch ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedAccess":
		return true
	}
	return false
}
