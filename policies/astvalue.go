package policies

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// toValue converts a JSON-tagged Go value (the schema's config types) into
// an OPA value the way encoding/json would encode it, without the JSON round
// trip that ast.InterfaceToValue makes for structs.
func toValue(x any) (ast.Value, error) {
	return reflectValue(reflect.ValueOf(x))
}

func reflectValue(v reflect.Value) (ast.Value, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return ast.Null{}, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return reflectValue(v.Elem())
	case reflect.String:
		return ast.String(v.String()), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(fmt.Sprint(v.Int())), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.Null{}, nil
		}
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			e, err := reflectValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(e)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key %s is not a string", v.Type().Key())
		}
		obj := ast.NewObject()
		it := v.MapRange()
		for it.Next() {
			e, err := reflectValue(it.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(ast.StringTerm(it.Key().String()), ast.NewTerm(e))
		}
		return obj, nil
	case reflect.Struct:
		obj := ast.NewObject()
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if opts == "omitempty" && fv.IsZero() {
				continue
			}
			e, err := reflectValue(fv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			obj.Insert(ast.StringTerm(name), ast.NewTerm(e))
		}
		return obj, nil
	}
	return nil, fmt.Errorf("cannot convert %s", v.Type())
}
